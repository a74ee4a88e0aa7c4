import { AcquireTimeoutError } from '../../errors/acquire-timeout-error.js';
import { LockHeldError } from '../../errors/lock-held-error.js';
import type { Lease } from '../../lease/lease.js';
import { Lock } from '../../lock/lock.js';
import { Permit } from '../../semaphore/permit.js';
import { Semaphore } from '../../semaphore/semaphore.js';
import { ExitCode, signalExitCode } from '../exit-codes.js';
import { formatDuration, formatHolder } from '../format.js';
import { RUN_HELP } from '../help.js';
import { RunOutput } from '../run-output.js';
import { storeFor } from '../store.js';
import { parseRunArgs } from './run-args.js';
import { SignalRouter } from '../signal-router.js';
import { runHolding } from './run-holding.js';
import { releaseWithin } from './run-release.js';

export { parseRunArgs, type RunPlan } from './run-args.js';

/**
 * `gcs-lock run`: acquire, run the command, keep the lease, release, exit with the command's status.
 * Signals: while waiting, SIGINT/SIGTERM/SIGHUP abort the wait (the library leaves no lock object
 * behind); while the command runs, they (and QUIT, USR1, USR2, WINCH) reach its process group
 * exactly once (run-holding.ts); while releasing, they cut the release short.
 */
export async function runCommand(args: string[]): Promise<number> {
  const plan = parseRunArgs(args);
  if (plan === null) {
    process.stdout.write(`${RUN_HELP}\n`);
    return ExitCode.OK;
  }
  const out = new RunOutput(plan.url, { json: plan.json, quiet: plan.quiet });

  // One listener per signal for the whole run; each phase decides what a signal means.
  const signals = new SignalRouter();
  const { route } = signals;

  let interrupted: NodeJS.Signals | undefined;
  const waiting = new AbortController();
  route((signal) => {
    interrupted ??= signal;
    waiting.abort(new Error(`interrupted by ${signal}`));
  });

  try {
    const options = {
      bucket: plan.bucket,
      object: plan.object,
      store: storeFor(plan.store),
      onEvent: out.onLockEvent,
      ttl: plan.ttl,
      lossMargin: plan.lossMargin,
      ...(plan.store.requestTimeout !== undefined && { requestTimeout: plan.store.requestTimeout }),
      ...(plan.description !== undefined && { description: plan.description }),
    };
    // --permits N: one of N permits of a semaphore; a permit is a lease like the lock's.
    const lock =
      plan.permits === undefined ? new Lock(options) : new Semaphore({ ...options, limit: plan.permits });
    out.notice.expectAnswer(plan.store);

    let lease: Lease;
    try {
      lease = await lock.acquire({ timeout: plan.timeout, signal: waiting.signal });
    } catch (error) {
      return gaveUp(error, plan.url, plan.command, plan.conflictExitCode, interrupted, out);
    } finally {
      out.notice.stop();
      out.progress.clear();
    }
    if (interrupted) {
      // The signal came as the lock was granted: release it rather than run the command.
      await releaseWithin(lease, plan, out, route);
      out.emit({ type: 'interrupted', signal: interrupted });
      return signalExitCode(interrupted);
    }
    // Each permit has its own fencing-token chain: the command needs the slot to compare tokens by.
    if (lease instanceof Permit) process.env['GCS_LOCK_PERMIT'] = String(lease.slot);
    return await signals.running(() => runHolding(plan, lease, out, route));
  } catch (error) {
    return out.fail(error);
  } finally {
    signals.close();
  }
}

/** The acquire failed: interrupted, held (-n), timed out (-w), or an error to rethrow. */
function gaveUp(
  error: unknown,
  url: string,
  command: string,
  conflictExitCode: number,
  interrupted: NodeJS.Signals | undefined,
  out: RunOutput,
): number {
  if (interrupted) {
    out.emit({ type: 'interrupted', signal: interrupted });
    out.say(`interrupted by ${interrupted} while waiting for ${url}; nothing was acquired`);
    return signalExitCode(interrupted);
  }
  if (error instanceof LockHeldError) {
    out.emit({ type: 'gave-up', reason: 'held', waitedMs: undefined });
    out.say(
      `${url} is held by ${formatHolder(error.holder)}, token ${error.holder.token}; not running ${command}`,
    );
    return conflictExitCode;
  }
  if (error instanceof AcquireTimeoutError) {
    out.emit({ type: 'gave-up', reason: 'timeout', waitedMs: error.waitedMs });
    const holder = error.holder ? `, held by ${formatHolder(error.holder)}` : '';
    out.say(`gave up on ${url} after ${formatDuration(error.waitedMs)}${holder}; not running ${command}`);
    return conflictExitCode;
  }
  throw error;
}
