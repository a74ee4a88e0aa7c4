import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StorageEngine } from '../src/server/engine/engine.js';
import { parseEvents, type HistoryEvent, type LockSnapshot } from './history.js';
import { counterObject, lockObject } from './worker-config.js';

export const HISTORY_FILE = 'history.jsonl';

/**
 * Merges every process's event file of a run into one history, ordered by the shared monotonic clock
 * (then by file and seq), and writes it next to them. Lines that do not parse are kept, as
 * `unreadable` events.
 */
export function mergeRunFiles(dir: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.jsonl') || file === HISTORY_FILE) continue;
    events.push(...parseEvents(readFileSync(join(dir, file), 'utf8'), file));
  }
  events.sort((a, b) => a.mono - b.mono || (a.src < b.src ? -1 : a.src > b.src ? 1 : a.seq - b.seq));
  writeFileSync(join(dir, HISTORY_FILE), events.map((event) => `${JSON.stringify(event)}\n`).join(''));
  return events;
}

/** The final state, read from the engine itself (no faults, no HTTP): counters, lock objects, tickets. */
export function snapshot(
  engine: StorageEngine,
  bucket: string,
  locks: readonly string[],
): { counters: Record<string, number>; locks: LockSnapshot[]; liveTickets: string[] } {
  const objects = engine.getBucket(bucket).objects;
  const now = engine.now();
  const expired = (metadata: Record<string, string>, updated: number): boolean =>
    now > updated + Number(metadata['gcs-lock-ttl-ms'] ?? 0);
  const counters: Record<string, number> = {};
  const snapshots: LockSnapshot[] = [];
  for (const lock of locks) {
    counters[lock] = Number(objects.get(counterObject(lock))?.metadata['value'] ?? '0');
    const object = objects.get(lockObject(lock));
    if (!object) continue;
    // A version-1 object (0.1) has no state: it exists only while held (release deletes it).
    const state = object.metadata['gcs-lock-state'] ?? 'held';
    snapshots.push({
      name: lock,
      state,
      expired: expired(object.metadata, object.updated),
      generation: String(object.generation),
    });
  }
  const liveTickets = [...objects.values()]
    .filter(
      (object) => /^locks\/[^/]+\.queue\//.test(object.name) && !expired(object.metadata, object.updated),
    )
    .map((object) => object.name);
  return { counters, locks: snapshots, liveTickets };
}

/**
 * SIGKILLs a process of this run that outlived it (a command orphaned by a SIGKILLed gcs-lock, on
 * code that lets it live), by its pid, and only if its command line still says it is what we
 * started: a pid can be reused.
 */
export function killLeftover(pid: number, marker: string): boolean {
  try {
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker)) return false;
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false; // gone already, or not Linux
  }
}

/** The pids of the commands (cli-step.ts) that wrote an event file in this run. */
export function stepPids(dir: string): number[] {
  return readdirSync(dir)
    .map((file) => /^s\d+\.(\d+)\.jsonl$/.exec(file)?.[1])
    .filter((pid): pid is string => pid !== undefined)
    .map(Number);
}

/**
 * How to start gcs-lock: the built CLI when it is newer than every source file, else the sources
 * through tsx (slower to start, never stale).
 */
export function cliCommand(root: string): string[] {
  const built = join(root, 'dist/cli/main.js');
  if (existsSync(built) && statSync(built).mtimeMs >= newest(join(root, 'src')))
    return [process.execPath, built];
  return [process.execPath, '--import', 'tsx', join(root, 'src/cli/main.ts')];
}

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}
