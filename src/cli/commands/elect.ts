import { Election } from '../../election/election.js';
import type { Term } from '../../election/term.js';
import { AcquireTimeoutError } from '../../errors/acquire-timeout-error.js';
import { StorageError } from '../../errors/storage-error.js';
import { sleep } from '../../util/clock.js';
import { describeError } from '../errors.js';
import { ExitCode, signalExitCode } from '../exit-codes.js';
import { formatDuration } from '../format.js';
import { ELECT_HELP } from '../help-primitives.js';
import { RunOutput } from '../run-output.js';
import { storeFor } from '../store.js';
import { parseElectArgs, type ElectPlan } from './elect-args.js';
import { SignalRouter, STOP_SIGNALS } from '../signal-router.js';
import { runHolding } from './run-holding.js';
import { releaseWithin } from './run-release.js';

/**
 * `gcs-lock elect`: campaign; while this process leads, run the command exactly as `run` runs it
 * under a lock (its own process group, ended if the term is lost); when the term ends, campaign
 * again after `--backoff`, unless `--once`. SIGINT, SIGTERM and SIGHUP stop it: while campaigning at
 * once (exit 128+N), while the command runs by passing the signal on (exit with its status).
 */
export async function electCommand(args: string[]): Promise<number> {
  const plan = parseElectArgs(args);
  if (plan === null) {
    process.stdout.write(`${ELECT_HELP}\n`);
    return ExitCode.OK;
  }
  const out = new RunOutput(plan.url, { json: plan.json, quiet: plan.quiet });
  let stopBy: NodeJS.Signals | undefined;
  const stopping = new AbortController();
  // Whatever a phase does with a signal, INT, TERM and HUP also end the loop after this term.
  const signals = new SignalRouter((signal) => {
    if (STOP_SIGNALS.includes(signal)) stopBy ??= signal;
  });
  const { route } = signals;
  try {
    const election = new Election({
      bucket: plan.bucket,
      object: plan.object,
      store: storeFor(plan.store),
      candidate: plan.candidate,
      onEvent: out.onLockEvent,
      ttl: plan.ttl,
      lossMargin: plan.lossMargin,
      ...(plan.store.requestTimeout !== undefined && { requestTimeout: plan.store.requestTimeout }),
      ...(plan.description !== undefined && { description: plan.description }),
    });
    // The command learns who it runs as; GCS_LOCK_TOKEN (set per term) is the term's fencing token.
    process.env['GCS_LOCK_CANDIDATE'] = plan.candidate;
    for (;;) {
      route(() => stopping.abort(new Error(`interrupted by ${stopBy}`)));
      const term = await campaign(election, plan, out, stopping.signal);
      if (term === 'gave-up') return plan.conflictExitCode;
      if (stopBy !== undefined) {
        if (term) await releaseWithin(term, plan, out, route);
        out.emit({ type: 'interrupted', signal: stopBy });
        out.say(`interrupted by ${stopBy} while campaigning for ${plan.url}; not leading`);
        return signalExitCode(stopBy);
      }
      if (!term) {
        if (!(await pause(plan.backoff, stopping.signal))) return signalExitCode(stopBy ?? 'SIGTERM');
        continue;
      }
      out.emit({ type: 'leading', candidate: plan.candidate, token: term.token });
      out.say(`${plan.candidate} leads ${plan.url} (token ${term.token}); running ${plan.command}`);
      const status = await signals.running(() => runHolding(plan, term, out, route));
      if (stopBy !== undefined || plan.once) return status;
      const why = status === ExitCode.LOST ? 'the term was lost' : `${plan.command} exited with ${status}`;
      out.emit({ type: 'term-ended', status });
      out.say(`${why}; campaigning again in ${formatDuration(plan.backoff)}`);
      if (!(await pause(plan.backoff, stopping.signal))) return status;
    }
  } catch (error) {
    return out.fail(error);
  } finally {
    signals.close();
  }
}

/**
 * One campaign: the term; `undefined` when storage failed for longer than a ttl (the caller backs
 * off and campaigns again: a supervisor rides out an outage) or the campaign was interrupted;
 * `gave-up` when `--once -w` ran out.
 */
async function campaign(
  election: Election,
  plan: ElectPlan,
  out: RunOutput,
  signal: AbortSignal,
): Promise<Term | 'gave-up' | undefined> {
  out.notice.expectAnswer(plan.store);
  out.say(`campaigning for ${plan.url} as ${plan.candidate}`);
  try {
    return await election.campaign({ signal, timeout: plan.timeout });
  } catch (error) {
    if (signal.aborted) return undefined;
    if (error instanceof AcquireTimeoutError) {
      out.emit({ type: 'gave-up', reason: 'timeout', waitedMs: error.waitedMs });
      out.say(`gave up campaigning for ${plan.url} after ${formatDuration(error.waitedMs)}; not leading`);
      return 'gave-up';
    }
    if (!(error instanceof StorageError)) throw error;
    out.warn(`${describeError(error).message}; campaigning again in ${formatDuration(plan.backoff)}`);
    return undefined;
  } finally {
    out.notice.stop();
    out.progress.clear();
  }
}

async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, signal);
    return true;
  } catch {
    return false;
  }
}
