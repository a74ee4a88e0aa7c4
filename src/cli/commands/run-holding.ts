import type { Lease } from '../../lease/lease.js';
import { outcomeExitCode, PROCESS_GROUPS, startChild, startFailureMessage } from '../child.js';
import { ExitCode } from '../exit-codes.js';
import { formatDuration } from '../format.js';
import type { RunOutput } from '../run-output.js';
import { SignalRelay, WITNESS_WINDOW_MS } from '../signal-relay.js';
import { releaseWithin } from './run-release.js';
import type { RunPlan } from './run-args.js';

/**
 * Signals that reach the command only through gcs-lock while it runs. INT, TERM and HUP are always
 * handled by `run` (while waiting they stop the wait); these are added for the command's lifetime.
 * TSTP and CONT are Ctrl-Z and `fg`: the command's group is stopped and continued with gcs-lock.
 */
export const RUNNING_SIGNALS: readonly NodeJS.Signals[] = PROCESS_GROUPS
  ? ['SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH', 'SIGTSTP', 'SIGCONT']
  : [];

/** How `run` routes the signals it receives: set by each phase. */
export type SignalHandler = (signal: NodeJS.Signals) => void;

/**
 * Runs the command while holding `lease`, in a process group of its own; ends the whole group if
 * the lease is lost; once the command's own process has exited, ends whatever it left running in its
 * group; then releases. Resolves with `run`'s exit status.
 */
export async function runHolding(
  plan: RunPlan,
  lease: Lease,
  out: RunOutput,
  route: (handler: SignalHandler) => void,
): Promise<number> {
  if (lease.lost) {
    // Lost before the command could start (a stalled process, a broken lock): never start it.
    out.warn(`lost ${plan.url} before ${plan.command} started; not running it`);
    await releaseWithin(lease, plan, out, route);
    return ExitCode.LOST;
  }
  const relay = new SignalRelay({
    deliver: (signal) => {
      if (child.signal(signal)) out.emit({ type: 'signal-forwarded', signal });
    },
    skip: (signal) =>
      out.emit({ type: 'signal-not-forwarded', signal, reason: 'the command received it directly' }),
    windowMs: PROCESS_GROUPS ? WITNESS_WINDOW_MS : 0,
  });
  const child = startChild(plan.command, plan.args, {
    env: {
      ...process.env,
      // The object the lease is on: the lock's, or a permit's own slot (its token's chain).
      GCS_LOCK_URL: lease.url,
      GCS_LOCK_TOKEN: lease.token,
      GCS_LOCK_GENERATION: lease.generation,
    },
    graceMs: plan.killGraceMs,
    onWitness: (signal) => relay.witnessed(signal),
    onWatchdogError: (error) =>
      out.warn(
        `could not start the watchdog (${error.message}): if gcs-lock is killed, ${plan.command} is not`,
      ),
  });
  route((signal) => {
    if (signal === 'SIGTSTP') {
      // Ctrl-Z: stop the command's group with us, or it would run on while we cannot refresh.
      child.stop();
      process.kill(process.pid, 'SIGSTOP');
    } else if (signal === 'SIGCONT') {
      // `fg`: the group runs again, unless the lease was lost meanwhile (then `onLost` ends it).
      if (!lease.lost) child.resume();
    } else {
      relay.received(signal);
    }
  });
  out.emit({ type: 'child-started', pid: child.pid, command: plan.command, watchdogPid: child.watchdogPid });

  let lost = false;
  const grace = formatDuration(plan.killGraceMs);
  const onKill = (): void => {
    out.warn(`${plan.command} did not exit within ${grace}; sent SIGKILL to its process group`);
    out.emit({ type: 'kill', signal: 'SIGKILL', reason: lost ? 'lost' : 'leftovers' });
  };
  const onLost = (): void => {
    lost = true;
    const reason = lease.signal.reason instanceof Error ? lease.signal.reason.message : 'lease lost';
    out.warn(`${reason}; sending SIGTERM to ${plan.command} and its process group, SIGKILL in ${grace}`);
    out.emit({ type: 'kill', signal: 'SIGTERM', reason: 'lost' });
    child.terminate(plan.killGraceMs, onKill);
  };
  if (lease.signal.aborted) onLost();
  else lease.signal.addEventListener('abort', onLost, { once: true });

  const outcome = await child.outcome;
  if (outcome.kind === 'failed-to-start') {
    const message = startFailureMessage(plan.command, outcome.error);
    out.emit({ type: 'error', message, exitCode: outcomeExitCode(outcome) });
    out.warn(message);
  } else {
    out.emit({
      type: 'child-exited',
      code: outcome.kind === 'exited' ? outcome.code : null,
      signal: outcome.kind === 'signaled' ? outcome.signal : null,
    });
  }
  // Work started under the lock ends under the lock: whatever the command left running in its
  // group is ended before the release lets the next holder in.
  const gone = await child.finish(
    plan.killGraceMs,
    () => {
      out.warn(
        `${plan.command} exited, leaving processes running in its process group; ` +
          `sending them SIGTERM, SIGKILL in ${grace}, before releasing the lock`,
      );
      out.emit({ type: 'leftovers', pgid: child.pid ?? 0 });
    },
    onKill,
  );
  if (!gone) {
    out.warn(
      `processes of ${plan.command}'s group are still there after SIGKILL (blocked in I/O?); releasing anyway`,
    );
  }
  lease.signal.removeEventListener('abort', onLost);
  relay.dispose();

  const released = await releaseWithin(lease, plan, out, route);
  if (lost) return ExitCode.LOST;
  const status = outcomeExitCode(outcome);
  // The command's own failure says more than ours; a lock left to expire is ours to report.
  return status === 0 && !released ? ExitCode.NOT_RELEASED : status;
}
