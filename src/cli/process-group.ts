import { readdirSync, readFileSync } from 'node:fs';

/**
 * Process groups, as `gcs-lock run` uses them: the command leads a group (and a session) of its own,
 * and everything it starts, through `sh -c`, make or npm, is in that group unless it leaves on
 * purpose (a daemon that calls setsid). One signal to the group reaches all of them.
 */

/** Sends `signal` to every process in group `pgid`. False when no process is left in it. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    // EPERM: a member we may not signal (a setuid program) is alive; the others got it.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether any process of group `pgid` is still running. A zombie does not count: it has ended, and
 * only waits for its parent (or init) to collect its status. Where no init collects them (a container
 * whose PID 1 does not reap), zombies stay for ever and would make `kill(-pgid, 0)` succeed for
 * ever; so on Linux the group's members are read from /proc. Elsewhere, `kill(-pgid, 0)` decides.
 */
export function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return true; // no /proc (macOS): the kill above is all we know
  }
  return pids.some((pid) => {
    const stat = readProcStat(pid);
    return stat !== undefined && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X';
  });
}

/** State (R, S, T, Z...), parent and process group from /proc/PID/stat; undefined once it is gone. */
export function readProcStat(
  pid: number | string,
): { state: string; ppid: number; pgrp: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid pgrp ...": comm may contain spaces and parentheses, so cut at the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', ppid: Number(fields[1]), pgrp: Number(fields[2]) };
}

/** Resolves true once group `pgid` has no running process, false if it still has one after `ms`. */
export async function waitGroupGone(pgid: number, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  for (;;) {
    if (!groupAlive(pgid)) return true;
    const left = deadline - performance.now();
    if (left <= 0) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(50, left)));
  }
}
