import { readdirSync } from 'node:fs';
import { readProcStat } from '../../src/cli/process-group.js';

/** What /proc says about a process: state, parent, group; undefined once it is gone (or reaped). */
export const procStat = readProcStat;

/**
 * Whether `pid` still runs. A zombie has ended: where PID 1 does not reap orphans (as in some
 * containers), a killed grandchild stays a zombie for ever, and `process.kill(pid, 0)` would say alive.
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const state = procStat(pid)?.state;
  return state !== undefined && state !== 'Z' && state !== 'X';
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** Every running process below `pid` (children, grandchildren...), whatever its group or session. */
export function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const p of allPids()) {
    const stat = procStat(p);
    if (stat && stat.state !== 'Z') parent.set(p, stat.ppid);
  }
  const below = (p: number): boolean => {
    for (let up = parent.get(p), depth = 0; up !== undefined && depth < 50; up = parent.get(up), depth++) {
      if (up === pid) return true;
    }
    return false;
  };
  return [...parent.keys()].filter(below);
}

/** The running members of process group `pgid`. */
export function groupMembers(pgid: number): number[] {
  return allPids().filter((p) => {
    const stat = procStat(p);
    return stat !== undefined && stat.pgrp === pgid && stat.state !== 'Z';
  });
}

/** SIGKILL for whatever a failed test left running. */
export function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
}
