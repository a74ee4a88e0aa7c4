import type { HistoryEvent, RunConfig } from '../history.js';
import { slotLock } from '../primitives.js';
import { expiryOf, type Grant, type ServerClock } from './grants.js';
import { believesAt, type LeaseRecord } from './leases.js';
import { leaseKey, ms, ofType, type Flag } from './types.js';

/**
 * A semaphore run (`--primitive semaphore`). Each slot is a lock object of its own, and the lock
 * checks already hold per slot (never two holders of one slot, fences growing along its chain). On
 * top of them, per semaphore:
 * - `slot-out-of-range`: a grant of a slot that is not one of its `permits` (a contender that
 *   counted with another limit);
 * - `too-many-permits`: more than `permits` holders at once, judged both by the server (grants not
 *   yet ended nor expired, in server order) and by the holders (leases believed valid);
 * - `slow-permit`: after a holder of one of its permits was killed (or met a release outage), a
 *   contender that wanted a permit got none within ttl + one poll + slack.
 */
export function checkSemaphores(
  events: readonly HistoryEvent[],
  config: RunConfig,
  grants: Map<string, Grant[]>,
  leases: Map<string, LeaseRecord>,
  clock: ServerClock,
  flag: Flag,
): void {
  const permits = config.permits ?? 1;
  const slots = new Set(
    config.locks.flatMap((name) => Array.from({ length: permits }, (_, i) => slotLock(name, i))),
  );
  for (const lock of grants.keys()) {
    if (!slots.has(lock)) {
      flag('slot-out-of-range', `${lock} was granted: not one of the ${permits} permits of any semaphore`, [
        grants.get(lock)![0]!.commits[0]!.event,
      ]);
    }
  }
  for (const name of config.locks) {
    const own = (lock: string): boolean => lock.startsWith(`${name}.slots/`);
    const chain = [...grants.entries()].filter(([lock]) => own(lock)).flatMap(([, list]) => list);
    const mine = [...leases.values()].filter((lease) => own(lease.lock));
    for (const grant of chain) {
      const at = grant.start;
      const live = chain.filter((other) => other.start <= at && at < endOf(other, at, clock));
      if (live.length > permits) {
        flag(
          'too-many-permits',
          `${name}: ${live.length} grants live at ${ms(at)} on the server (tokens ${live.map((g) => `${g.lock}#${g.token}`).join(', ')}), ` +
            `more than its ${permits} permits`,
          live.map((g) => g.commits[0]!.event),
        );
      }
      const believed = mine.filter((lease) => believesAt(lease, at));
      if (believed.length > permits) {
        flag(
          'too-many-permits',
          `${name}: ${believed.length} holders believed their permits valid at ${ms(at)}, more than ${permits}`,
          believed.map((lease) => lease.events[0]!),
        );
      }
    }
    checkPermitLiveness(events, config, name, chain, flag);
  }
}

/** When a grant stopped counting as a permit on the server, as seen at `at`: ended, or expired. */
function endOf(grant: Grant, at: number, clock: ServerClock): number {
  const commit = [...grant.commits].reverse().find((c) => c.mono <= at) ?? grant.commits[0]!;
  return Math.min(grant.end ?? Infinity, expiryOf(commit, grant.ttl, clock));
}

function checkPermitLiveness(
  events: readonly HistoryEvent[],
  config: RunConfig,
  name: string,
  chain: Grant[],
  flag: Flag,
): void {
  const bound = config.ttl + config.pollMax + config.slackMs;
  const end = ofType(events, 'run-end')[0]?.mono ?? Infinity;
  const triggers = [
    ...ofType(events, 'kill'),
    ...ofType(events, 'fault').filter((event) => event.kind === 'release-outage'),
  ].filter((event) => event.lock?.startsWith(`${name}.slots/`) === true);
  const attempts = events.filter(
    (event) => (event.type === 'acquire-attempt' || event.type === 'cli-start') && event.lock === name,
  );
  for (const trigger of triggers) {
    const wanted = attempts.find((event) => event.mono >= trigger.mono);
    if (!wanted) continue;
    const from = Math.max(trigger.mono, wanted.mono);
    const next = chain.filter((grant) => grant.start > trigger.mono).sort((a, b) => a.start - b.start)[0];
    const waited = (next?.start ?? end) - from;
    if (waited > bound) {
      flag(
        'slow-permit',
        `${name}: ${next ? `next permit granted ${Math.round(waited)} ms` : 'no permit granted'} after the holder of ` +
          `${trigger.lock} was ${trigger.type === 'kill' ? 'killed' : 'cut off'} and ${wanted.src} wanted one (bound ${bound} ms)`,
        next ? [trigger, wanted, next.commits[0]!.event] : [trigger, wanted],
      );
    }
  }
}

/**
 * An election run (`--primitive election`): every term names its candidate in the election object,
 * and the name is the holder's (`w<worker>` for a library worker, `c<worker>` for `gcs-lock elect`),
 * so that whoever reads the object knows who leads (`wrong-candidate`).
 */
export function checkCandidates(
  grants: Map<string, Grant[]>,
  leases: Map<string, LeaseRecord>,
  flag: Flag,
): void {
  for (const chain of grants.values()) {
    for (const grant of chain) {
      const first = grant.commits[0]!.event;
      const lease = leases.get(leaseKey(grant.lock, grant.token));
      const candidate = first.record.candidate;
      const expected = lease === undefined ? undefined : `${lease.kind === 'lib' ? 'w' : 'c'}${lease.worker}`;
      if (candidate === undefined || (expected !== undefined && candidate !== expected)) {
        flag(
          'wrong-candidate',
          `${grant.lock}: term ${grant.token} names candidate ${JSON.stringify(candidate)}` +
            (expected === undefined ? '' : `, but its holder is ${expected}`),
          [first, ...(lease ? [lease.events[0]!] : [])],
        );
      }
    }
  }
}
