import { AcquireTimeoutError } from '../../errors/acquire-timeout-error.js';
import { LockHeldError } from '../../errors/lock-held-error.js';
import type { LockEvent } from '../../core/events.js';
import type { Lease } from '../../lease/lease.js';
import { Lock } from '../../lock/lock.js';
import { formatLockUrl, parseLockUrl } from '../../util/lock-url.js';
import { parseArgument, parseCommandLine, parseDuration, parseExitCode, UsageError } from '../args.js';
import { outcomeExitCode, startChild, startFailureMessage, type RunningChild } from '../child.js';
import { describeError } from '../errors.js';
import { ExitCode, signalExitCode } from '../exit-codes.js';
import { formatDuration, formatHolder } from '../format.js';
import { RUN_HELP } from '../help.js';
import { JsonEventWriter, type CliEvent } from '../json-events.js';
import { StatusLine } from '../status-line.js';
import { cliStore, ENDPOINT_OPTION } from '../store.js';

const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const DEFAULT_KILL_GRACE_MS = 10_000;

/** The parsed `run` command line. */
export interface RunPlan {
  url: string;
  bucket: string;
  object: string;
  command: string;
  args: string[];
  /** ms to wait; 0 for `-n`; Infinity by default. */
  timeout: number;
  conflictExitCode: number;
  ttl: number | undefined;
  description: string | undefined;
  killGraceMs: number;
  endpoint: string | undefined;
  json: boolean;
  quiet: boolean;
}

/** Parses `run`'s arguments; `null` for `--help`. Throws `UsageError` with what would be right. */
export function parseRunArgs(args: string[]): RunPlan | null {
  const { values, positionals, rest } = parseCommandLine('run', args, {
    ...ENDPOINT_OPTION,
    nonblock: { type: 'boolean', short: 'n' },
    wait: { type: 'string', short: 'w' },
    'conflict-exit-code': { type: 'string', short: 'E' },
    ttl: { type: 'string' },
    description: { type: 'string' },
    'kill-grace': { type: 'string' },
    json: { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return null;
  const [url, ...extra] = positionals;
  if (url === undefined)
    throw new UsageError('run: missing gs://BUCKET/OBJECT: gcs-lock run gs://BUCKET/OBJECT -- COMMAND');
  if (rest === undefined || extra.length > 0) {
    const example = [
      'gcs-lock run',
      url,
      '--',
      ...(extra.length > 0 ? extra : ['COMMAND', '[ARGS...]']),
    ].join(' ');
    throw new UsageError(
      `run: put -- before the command, so that its options are not read as gcs-lock's: ${example}`,
    );
  }
  const [command, ...commandArgs] = rest;
  if (command === undefined)
    throw new UsageError(`run: missing the command after --: gcs-lock run ${url} -- COMMAND [ARGS...]`);
  if (values.nonblock && values.wait !== undefined) {
    throw new UsageError('run: use either -n (fail at once) or -w SECONDS (wait that long), not both');
  }
  const target = parseArgument(parseLockUrl, url);
  const ttl = values.ttl === undefined ? undefined : parseDuration('--ttl', values.ttl);
  if (ttl !== undefined && ttl < 1000)
    throw new UsageError(`run: --ttl ${values.ttl} is too short: use at least 1s`);
  return {
    url: formatLockUrl(target.bucket, target.object),
    ...target,
    command,
    args: commandArgs,
    timeout: values.nonblock
      ? 0
      : values.wait !== undefined
        ? parseDuration('-w/--wait', values.wait)
        : Infinity,
    conflictExitCode:
      values['conflict-exit-code'] === undefined
        ? ExitCode.CONFLICT
        : parseExitCode('-E/--conflict-exit-code', values['conflict-exit-code']),
    ttl,
    description: values.description,
    killGraceMs:
      values['kill-grace'] === undefined
        ? DEFAULT_KILL_GRACE_MS
        : parseDuration('--kill-grace', values['kill-grace']),
    endpoint: values.endpoint,
    json: values.json ?? false,
    quiet: values.quiet ?? false,
  };
}

/**
 * `gcs-lock run`: acquire, run the command, keep the lease, release, exit with the command's status.
 * Signals: while waiting, SIGINT/SIGTERM abort the wait (the library leaves no lock object behind);
 * while the command runs, they are forwarded to it and its status decides ours.
 */
export async function runCommand(args: string[]): Promise<number> {
  const plan = parseRunArgs(args);
  if (plan === null) {
    process.stdout.write(`${RUN_HELP}\n`);
    return ExitCode.OK;
  }
  const json = plan.json ? new JsonEventWriter(process.stderr) : undefined;
  const statusLine = new StatusLine(process.stderr, plan.url, { enabled: !plan.quiet && !json });
  const emit = (event: CliEvent): void => json?.write(event);
  // say: progress, silenced by -q; warn: trouble, always shown (as events instead, with --json).
  const warn = (message: string): void => {
    if (json) return;
    statusLine.clear();
    process.stderr.write(`gcs-lock: ${message}\n`);
  };
  const say = (message: string): void => {
    if (!plan.quiet) warn(message);
  };

  let phase: 'waiting' | 'running' | 'releasing' = 'waiting';
  let interrupted: NodeJS.Signals | undefined;
  let child: RunningChild | undefined;
  const waiting = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (phase === 'waiting') {
      interrupted ??= signal;
      waiting.abort(new Error(`interrupted by ${signal}`));
    } else if (phase === 'running' && child?.kill(signal)) {
      emit({ type: 'signal-forwarded', signal });
    }
  };
  for (const signal of FORWARDED_SIGNALS) process.on(signal, onSignal);

  try {
    const onEvent = (event: LockEvent): void => {
      json?.write(event);
      if (event.type === 'contended') statusLine.update(event.holder);
      else if (event.type === 'took-over') {
        say(
          `took over ${plan.url}: the lease of ${formatHolder(event.previous)} (token ${event.previous.token}) had expired`,
        );
      } else if (event.type === 'refresh-failed') {
        say(
          `refreshing the lease failed (${event.error.message}); retrying in ${formatDuration(event.retryInMs)}`,
        );
      }
    };
    const lock = new Lock({
      bucket: plan.bucket,
      object: plan.object,
      store: cliStore(plan.endpoint),
      onEvent,
      ...(plan.ttl !== undefined && { ttl: plan.ttl }),
      ...(plan.description !== undefined && { description: plan.description }),
    });

    let lease: Lease;
    try {
      lease = await lock.acquire({ timeout: plan.timeout, signal: waiting.signal });
    } catch (error) {
      statusLine.clear();
      if (interrupted) {
        emit({ type: 'interrupted', signal: interrupted });
        say(`interrupted by ${interrupted} while waiting for ${plan.url}; nothing was acquired`);
        return signalExitCode(interrupted);
      }
      if (error instanceof LockHeldError) {
        emit({ type: 'gave-up', reason: 'held', waitedMs: undefined });
        say(
          `${plan.url} is held by ${formatHolder(error.holder)}, token ${error.holder.token}; not running ${plan.command}`,
        );
        return plan.conflictExitCode;
      }
      if (error instanceof AcquireTimeoutError) {
        emit({ type: 'gave-up', reason: 'timeout', waitedMs: error.waitedMs });
        const holder = error.holder ? `, held by ${formatHolder(error.holder)}` : '';
        say(
          `gave up on ${plan.url} after ${formatDuration(error.waitedMs)}${holder}; not running ${plan.command}`,
        );
        return plan.conflictExitCode;
      }
      throw error;
    }
    statusLine.clear();
    if (interrupted) {
      // The signal came as the lock was granted: release it rather than run the command.
      await lease.release();
      emit({ type: 'interrupted', signal: interrupted });
      return signalExitCode(interrupted);
    }
    return await runHolding(plan, lease, {
      emit,
      warn,
      setChild: (c) => ((child = c), (phase = 'running')),
    }).finally(() => (phase = 'releasing'));
  } catch (error) {
    statusLine.clear();
    const { message, exitCode } = describeError(error);
    if (json) emit({ type: 'error', message, exitCode });
    else process.stderr.write(`gcs-lock: ${message}\n`);
    return exitCode;
  } finally {
    for (const signal of FORWARDED_SIGNALS) process.off(signal, onSignal);
  }
}

interface Io {
  emit: (event: CliEvent) => void;
  warn: (message: string) => void;
  setChild: (child: RunningChild) => void;
}

/** Runs the command while holding `lease`; kills it if the lease is lost; releases at the end. */
async function runHolding(plan: RunPlan, lease: Lease, io: Io): Promise<number> {
  if (lease.lost) {
    // Lost before the command could start (a stalled process, a broken lock): never start it.
    io.warn(`lost ${plan.url} before ${plan.command} started; not running it`);
    await lease.release().catch(() => false);
    return ExitCode.LOST;
  }
  const child = startChild(plan.command, plan.args, {
    ...process.env,
    GCS_LOCK_URL: plan.url,
    GCS_LOCK_TOKEN: lease.token,
    GCS_LOCK_GENERATION: lease.generation,
  });
  io.setChild(child);
  io.emit({ type: 'child-started', pid: child.pid, command: plan.command });

  let lost = false;
  const onLost = (): void => {
    lost = true;
    const reason = lease.signal.reason instanceof Error ? lease.signal.reason.message : 'lease lost';
    io.warn(`${reason}; sending SIGTERM to ${plan.command}, SIGKILL in ${formatDuration(plan.killGraceMs)}`);
    io.emit({ type: 'kill', signal: 'SIGTERM', reason: 'lost' });
    child.terminate(plan.killGraceMs, () => {
      io.warn(`${plan.command} did not exit within ${formatDuration(plan.killGraceMs)}; sent SIGKILL`);
      io.emit({ type: 'kill', signal: 'SIGKILL', reason: 'lost' });
    });
  };
  if (lease.signal.aborted) onLost();
  else lease.signal.addEventListener('abort', onLost, { once: true });

  const outcome = await child.outcome;
  lease.signal.removeEventListener('abort', onLost);
  if (outcome.kind === 'failed-to-start') {
    const message = startFailureMessage(plan.command, outcome.error);
    io.emit({ type: 'error', message, exitCode: outcomeExitCode(outcome) });
    io.warn(message);
  } else {
    io.emit({
      type: 'child-exited',
      code: outcome.kind === 'exited' ? outcome.code : null,
      signal: outcome.kind === 'signaled' ? outcome.signal : null,
    });
  }
  try {
    await lease.release();
  } catch (error) {
    // The command's work is done; a failed release only means others wait out the ttl.
    io.warn(`could not release ${plan.url} (${describeError(error).message}); it expires after its ttl`);
  }
  if (lost) return ExitCode.LOST;
  return outcomeExitCode(outcome);
}
