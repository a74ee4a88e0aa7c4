import { spawn } from 'node:child_process';
import { ExitCode, signalExitCode } from './exit-codes.js';

/** How a command ended: with a status, by a signal, or without ever starting. */
export type ChildOutcome =
  | { kind: 'exited'; code: number }
  | { kind: 'signaled'; signal: NodeJS.Signals }
  | { kind: 'failed-to-start'; error: NodeJS.ErrnoException };

/** A started command: its pid, a way to signal it, and how it ended. */
export interface RunningChild {
  readonly pid: number | undefined;
  /** Sends a signal; false when the child is gone already. */
  kill(signal: NodeJS.Signals): boolean;
  /** Sends SIGTERM now and SIGKILL after `graceMs` unless the child has exited by then. */
  terminate(graceMs: number, onKill?: () => void): void;
  readonly outcome: Promise<ChildOutcome>;
}

/**
 * Starts `command` with `args` exactly as given: no shell, so nothing is re-split or expanded. The
 * child shares our stdio and our process group: a terminal's Ctrl-C reaches it directly, and it can
 * still read the terminal (a child in its own group could not).
 */
export function startChild(command: string, args: string[], env: NodeJS.ProcessEnv): RunningChild {
  const child = spawn(command, args, { stdio: 'inherit', env });
  let killTimer: NodeJS.Timeout | undefined;
  const outcome = new Promise<ChildOutcome>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      // 'error' also fires when a kill() fails on a live child; only a child that never ran ends here.
      if (child.pid === undefined) resolve({ kind: 'failed-to-start', error });
    });
    child.once('exit', (code, signal) => {
      if (killTimer) clearTimeout(killTimer);
      resolve(signal !== null ? { kind: 'signaled', signal } : { kind: 'exited', code: code ?? 0 });
    });
  });
  let exited = false;
  void outcome.then(() => (exited = true));
  return {
    pid: child.pid,
    outcome,
    kill: (signal) => !exited && child.kill(signal),
    terminate(graceMs, onKill) {
      if (exited) return;
      child.kill('SIGTERM');
      killTimer ??= setTimeout(() => {
        if (!exited && child.kill('SIGKILL')) onKill?.();
      }, graceMs);
    },
  };
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
