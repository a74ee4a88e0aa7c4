import { spawn } from 'node:child_process';
import { ExitCode, signalExitCode } from './exit-codes.js';
import { groupAlive, signalGroup, waitGroupGone } from './process-group.js';
import { startWatchdog, type Watchdog } from './watchdog.js';

/** How a command ended: with a status, by a signal, or without ever starting. */
export type ChildOutcome =
  | { kind: 'exited'; code: number }
  | { kind: 'signaled'; signal: NodeJS.Signals }
  | { kind: 'failed-to-start'; error: NodeJS.ErrnoException };

/** How long to wait for a group to vanish after SIGKILL (a process in uninterruptible I/O lingers). */
const AFTER_KILL_MS = 2_000;

/** Process groups and sessions are POSIX; Windows gets the direct child only (see README). */
export const PROCESS_GROUPS = process.platform !== 'win32';

/** A started command: its process group, a way to signal it, and how it ended. */
export interface RunningChild {
  /** The command's pid: also its process group id and session id (it leads both). */
  readonly pid: number | undefined;
  /** The watchdog's pid, when there is one. */
  readonly watchdogPid: number | undefined;
  /** Sends a signal to the command's whole process group; false when it is gone. */
  signal(signal: NodeJS.Signals): boolean;
  /** Ctrl-Z: stops the whole group (SIGSTOP: a group in a session of its own ignores SIGTSTP). */
  stop(): void;
  /** After `stop`: lets the group run again. Nothing otherwise (a SIGCONT that systemd sends every
   * process after its SIGTERM reached the command already). */
  resume(): void;
  /** SIGTERM to the group now, SIGKILL after `graceMs` to whatever is left of it then. Once only. */
  terminate(graceMs: number, onKill?: () => void): void;
  /** How the command's own process (the group's leader) ended. */
  readonly outcome: Promise<ChildOutcome>;
  /**
   * Once the leader has ended: ends what is left of its group (SIGTERM, SIGKILL after `graceMs`),
   * calling `onLeftovers` first if anything was left, then stands the watchdog down. Work started
   * under the lock ends under the lock. Resolves false if part of the group still runs after its
   * SIGKILL (a process in uninterruptible I/O dies only when the I/O returns), true otherwise.
   */
  finish(graceMs: number, onLeftovers: () => void, onKill: () => void): Promise<boolean>;
}

/**
 * Starts `command` with `args` exactly as given: no shell, so nothing is re-split or expanded. It
 * shares our stdin, stdout and stderr, so it reads the terminal as before, but it leads a process
 * group and a session of its own: signals reach it through gcs-lock (see signal-relay.ts), and one
 * signal to the group reaches everything it started. A watchdog (watchdog.ts) ends the group if
 * gcs-lock dies; `graceMs` is its grace between SIGTERM and SIGKILL.
 */
export function startChild(
  command: string,
  args: string[],
  options: {
    env: NodeJS.ProcessEnv;
    graceMs: number;
    onWitness: (signal: NodeJS.Signals) => void;
    onWatchdogError: (error: Error) => void;
  },
): RunningChild {
  // Started before the command, so that no instant exists in which the command runs unwatched,
  // except the write of its group id right after the fork.
  const watchdog: Watchdog | undefined = PROCESS_GROUPS
    ? startWatchdog(options.graceMs, options.onWitness, options.onWatchdogError)
    : undefined;
  const child = spawn(command, args, { stdio: 'inherit', env: options.env, detached: PROCESS_GROUPS });
  const pid = child.pid;
  if (pid !== undefined) watchdog?.arm(pid);

  const outcome = new Promise<ChildOutcome>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      // 'error' also fires when a kill() fails on a live child; only a child that never ran ends here.
      if (child.pid === undefined) resolve({ kind: 'failed-to-start', error });
    });
    child.once('exit', (code, signal) => {
      resolve(signal !== null ? { kind: 'signaled', signal } : { kind: 'exited', code: code ?? 0 });
    });
  });
  let exited = false;
  void outcome.then(() => (exited = true));

  let stopped = false;
  let terminating = false;
  let killTimer: NodeJS.Timeout | undefined;
  const send = (signal: NodeJS.Signals): boolean => {
    if (pid === undefined) return false;
    if (PROCESS_GROUPS) return signalGroup(pid, signal);
    return !exited && child.kill(signal);
  };
  const alive = (): boolean => pid !== undefined && (PROCESS_GROUPS ? groupAlive(pid) : !exited);

  const running: RunningChild = {
    pid,
    watchdogPid: watchdog?.pid,
    outcome,
    signal: send,
    stop() {
      if (send('SIGSTOP')) stopped = true;
    },
    resume() {
      if (!stopped) return;
      stopped = false;
      send('SIGCONT');
    },
    terminate(graceMs, onKill) {
      if (terminating || !alive()) return;
      terminating = true;
      send('SIGTERM');
      // A stopped group (Ctrl-Z) would keep the SIGTERM pending: let it run to handle it.
      if (stopped) running.resume();
      killTimer = setTimeout(() => {
        if (alive() && send('SIGKILL')) onKill?.();
      }, graceMs);
    },
    async finish(graceMs, onLeftovers, onKill) {
      await outcome;
      let gone = true;
      if (PROCESS_GROUPS && pid !== undefined && groupAlive(pid)) {
        if (!terminating) onLeftovers();
        running.terminate(graceMs, onKill);
        gone = await waitGroupGone(pid, graceMs + AFTER_KILL_MS);
      }
      clearTimeout(killTimer);
      // Only now: told earlier, the watchdog would leave a group alive if gcs-lock died meanwhile.
      await watchdog?.disarm();
      return gone;
    },
  };
  return running;
}

/** The exit status a shell would report for this outcome (126/127 for a command that never ran). */
export function outcomeExitCode(outcome: ChildOutcome): number {
  switch (outcome.kind) {
    case 'exited':
      return outcome.code;
    case 'signaled':
      return signalExitCode(outcome.signal);
    case 'failed-to-start':
      return outcome.error.code === 'ENOENT' ? ExitCode.NOT_FOUND : ExitCode.CANNOT_EXECUTE;
  }
}

/** Why a command did not start, as a sentence: "command not found: foo". */
export function startFailureMessage(command: string, error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT')
    return `command not found: ${command} (it is run without a shell: give a path, or use sh -c '...')`;
  if (error.code === 'EACCES') return `cannot execute ${command}: permission denied`;
  return `cannot execute ${command}: ${error.message}`;
}
