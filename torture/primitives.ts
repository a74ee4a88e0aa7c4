/**
 * `--primitive lock|election|semaphore`: what a torture worker holds. The checker's unit stays "a
 * lock object and its grant chain": an election is one (a term is a lease on it); a semaphore's
 * permits are its slot objects, each a chain of its own, named `<semaphore>.slots/<i>` in the history.
 */
import { Election } from '../src/election/election.js';
import type { Lease } from '../src/lease/lease.js';
import type { LeaseOptions, StorageOptions } from '../src/core/options.js';
import { Lock } from '../src/lock/lock.js';
import { Permit } from '../src/semaphore/permit.js';
import { Semaphore } from '../src/semaphore/semaphore.js';
import { lockObject, type WorkerConfig } from './worker-config.js';

export type Primitive = 'lock' | 'election' | 'semaphore';
export const PRIMITIVES: readonly Primitive[] = ['lock', 'election', 'semaphore'];

/** The default number of permits of each semaphore in a semaphore run. */
export const DEFAULT_PERMITS = 2;

/** One thing a worker can hold: acquire it within `timeout`, and name the lock object it got. */
export interface Holdable {
  acquire(timeout: number): Promise<Lease>;
}

/** The history's name for the lock object a lease is on: the slot's, for a permit. */
export function heldName(name: string, lease: Lease): string {
  return lease instanceof Permit ? slotLock(name, lease.slot) : name;
}

/** A semaphore slot's lock name (its object is `locks/<name>.slots/<slot>`). */
export const slotLock = (semaphore: string, slot: number): string => `${semaphore}.slots/${slot}`;

/** Every lock object name a run may grant: the locks, or every slot of every semaphore. */
export function lockObjectsOf(primitive: Primitive, names: readonly string[], permits: number): string[] {
  if (primitive !== 'semaphore') return [...names];
  return names.flatMap((name) => Array.from({ length: permits }, (_, slot) => slotLock(name, slot)));
}

/** The worker's holdable for `name`: a lock, an election (candidate `w<worker>`) or a semaphore. */
export function holdable(
  config: WorkerConfig,
  name: string,
  options: LeaseOptions & StorageOptions,
): Holdable {
  const url = `gs://${config.bucket}/${lockObject(name)}`;
  const primitive = config.primitive ?? 'lock';
  // Elections and semaphores are not fair-queued (their options have no `fair`).
  const { fair: _fair, ...unqueued } = options;
  if (primitive === 'election') {
    const election = new Election(url, { ...unqueued, candidate: `w${config.worker}` });
    return { acquire: (timeout) => election.campaign({ timeout }) };
  }
  if (primitive === 'semaphore') {
    const semaphore = new Semaphore(url, { ...unqueued, limit: config.permits ?? DEFAULT_PERMITS });
    return { acquire: (timeout) => semaphore.acquire({ timeout }) };
  }
  const lock = new Lock(url, options);
  return { acquire: (timeout) => lock.acquire({ timeout }) };
}

/** The `gcs-lock` verb and options a CLI driver runs its command under, per primitive. */
export function cliVerb(config: WorkerConfig): string[] {
  const primitive = config.primitive ?? 'lock';
  if (primitive === 'election') return ['elect', '--once', '--candidate', `c${config.worker}`];
  if (primitive === 'semaphore') return ['run', '--permits', String(config.permits ?? DEFAULT_PERMITS)];
  return ['run'];
}
