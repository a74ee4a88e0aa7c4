import type { HistoryEvent } from '../history.js';
import { commitAt, expiryOf, type Grant, type ServerClock } from './grants.js';
import { beliefEnd, believesAt, deadlineAt, type LeaseRecord } from './leases.js';
import { clip, leaseKey, ms, ofType, type Flag } from './types.js';

/**
 * Safety in server order. For every grant the server committed, and the holder that recorded it:
 * - `held-past-expiry`: the holder still believed its lease valid at a moment from which anyone could
 *   take over (a ttl after its last own write to the record, or the server clock's `updated + ttl`),
 *   with no later write of its own in between: what a stranger's patch or a suspend can cause;
 * - `two-holders`: it still believed so when the server granted the lock to its successor;
 * - `overlap`: it acted (entered, sent a counter write, a command ticked) after its successor's grant;
 * - `acted-after-expiry`: it acted after anyone could have taken over, or after the server ended its
 *   grant, successor or not;
 * - `acted-after-deadline`: it acted after its own loss, release or reported deadline (its own clock
 *   told it the lease was over, as after a suspend its monotonic clock did not see).
 */
export function checkServerOrder(
  grants: Map<string, Grant[]>,
  leases: Map<string, LeaseRecord>,
  clock: ServerClock,
  flag: Flag,
): void {
  for (const chain of grants.values()) {
    for (const grant of chain) {
      const lease = leases.get(leaseKey(grant.lock, grant.token));
      if (!lease) continue;
      const expiries = grant.commits.map((commit) => expiryOf(commit, grant.ttl, clock));
      for (let i = 0; i < expiries.length; i++) {
        const expiry = expiries[i]!;
        const next = grant.commits[i + 1]?.mono ?? Infinity;
        if (next <= expiry || !believesAt(lease, expiry)) continue;
        flag(
          'held-past-expiry',
          `${grant.lock}: ${who(lease)} believed token ${grant.token} valid until ${ms(deadlineAt(lease, expiry)!)}, ` +
            `but its last own write to the lock object was at ${ms(grant.commits[i]!.mono)}: from ${ms(expiry)} anyone could take over`,
          clip([grant.commits[i]!.event, ...lease.events]),
        );
        break;
      }
      const successor = grant.successor;
      if (successor && believesAt(lease, successor.start)) {
        flag(
          'two-holders',
          `${grant.lock}: token ${successor.token} was granted at ${ms(successor.start)} while ${who(lease)} ` +
            `still believed token ${grant.token} valid until ${ms(deadlineAt(lease, successor.start)!)}`,
          clip([...lease.events, successor.commits[0]!.event]),
        );
      }
      checkActs(grant, lease, expiries, flag);
    }
  }
}

function checkActs(grant: Grant, lease: LeaseRecord, expiries: number[], flag: Flag): void {
  const ownEnd = lease.kind === 'lib' ? beliefEnd(lease) : Infinity;
  for (const act of lease.acts) {
    const commit = commitAt(grant, act.mono);
    const expiry = commit ? expiries[grant.commits.indexOf(commit)]! : grant.start;
    const successor = grant.successor;
    if (successor && act.mono >= successor.start) {
      flag(
        'overlap',
        `${grant.lock}: ${who(lease)} ${did(act)} under token ${grant.token} at ${ms(act.mono)}, ` +
          `after token ${successor.token} was granted at ${ms(successor.start)}`,
        clip([...lease.events.filter((e) => e.mono <= act.mono), successor.commits[0]!.event]),
      );
      return;
    }
    const ended = grant.end !== undefined && act.mono >= grant.end;
    if (act.mono >= expiry || ended) {
      flag(
        'acted-after-expiry',
        `${grant.lock}: ${who(lease)} ${did(act)} under token ${grant.token} at ${ms(act.mono)}, ` +
          (ended
            ? `after the server ended the grant (${grant.endKind}) at ${ms(grant.end!)}`
            : `after anyone could take over (${ms(expiry)})`),
        clip([commit?.event ?? grant.commits[0]!.event, ...lease.events.filter((e) => e.mono <= act.mono)]),
      );
      return;
    }
    const deadline = deadlineAt(lease, act.mono);
    if (lease.kind === 'lib' && (act.mono >= ownEnd || (deadline !== undefined && act.mono >= deadline))) {
      flag(
        'acted-after-deadline',
        `${who(lease)}: ${did(act)} on token ${grant.token} at ${ms(act.mono)}, after its own lease had ended ` +
          `(deadline ${ms(deadline ?? NaN)}, loss/release/death ${ms(ownEnd)})`,
        clip(lease.events.filter((e) => e.mono <= act.mono)),
      );
      return;
    }
  }
}

const did = (act: HistoryEvent): string =>
  act.type === 'still-held' ? "was still holding by its lease's own account" : `did ${act.type}`;

const who = (lease: LeaseRecord): string =>
  lease.kind === 'lib'
    ? `worker ${lease.worker} (${lease.src})`
    : `the command of CLI worker ${lease.worker} (${lease.src})`;

/**
 * Every holder stopped past its deadline (SIGSTOP by the orchestrator, or a simulated suspend)
 * learned of the loss before it acted again: its signal fired when it next ran, or its counter write
 * was refused.
 */
export function checkStops(
  events: readonly HistoryEvent[],
  leases: Map<string, LeaseRecord>,
  flag: Flag,
): void {
  const stops: Array<{ start: HistoryEvent; end: HistoryEvent; lease: LeaseRecord; pid: number }> = [];
  for (const pause of ofType(events, 'pause')) {
    const resume = events.find((e) => e.type === 'resume' && e.pid === pause.pid && e.mono >= pause.mono);
    const lease = leases.get(leaseKey(pause.lock, pause.token));
    if (resume && lease) stops.push({ start: pause, end: resume, lease, pid: pause.pid });
  }
  for (const suspend of ofType(events, 'suspend')) {
    if (suspend.variant.startsWith('wall')) continue; // a wall step stops nothing
    const end = events.find((e) => e.type === 'suspend-end' && e.src === suspend.src && e.seq > suspend.seq);
    const lease =
      suspend.lock === undefined ? undefined : leases.get(leaseKey(suspend.lock, suspend.token ?? ''));
    if (end && lease) stops.push({ start: suspend, end, lease, pid: suspend.pid });
  }
  for (const { start, end, lease, pid } of stops) {
    const endBefore = Math.min(lease.lostAt ?? Infinity, lease.releaseAt ?? Infinity);
    const deadline = deadlineAt(lease, start.mono) ?? Infinity;
    if (endBefore <= start.mono || deadline >= end.mono) continue; // not expired by the stop
    const killed = events.some((e) => e.type === 'kill' && e.pid === pid && e.mono >= end.mono);
    // Noticing counts from the stop on: the resumed worker may record its loss a moment before the
    // orchestrator, which sent SIGCONT, gets to stamp the resume. Acting counts from the deadline:
    // a step taken after the pause was stamped but before the signal landed is still within the lease.
    const noticed = lease.events.find(
      (e) => e.mono >= start.mono && (e.type === 'lost' || e.type === 'write-rejected'),
    );
    const acted = lease.acts.find((e) => e.mono >= deadline);
    if ((!noticed && !killed) || (acted && (!noticed || acted.mono < noticed.mono))) {
      flag(
        'missing-signal',
        `worker ${lease.worker} was ${start.type === 'pause' ? 'paused' : 'suspended'} past the deadline of token ${lease.token} and ` +
          (acted ? 'acted on resuming without noticing the loss' : 'never saw its signal fire'),
        clip([start, end, ...lease.events]),
      );
    }
  }
}
