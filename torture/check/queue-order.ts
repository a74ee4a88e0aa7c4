import type { HistoryEvent } from '../history.js';
import { expiryOf, type Grant, type ServerClock } from './grants.js';
import { ms, ofType, type Flag, type Of } from './types.js';

/** One fair-mode ticket, from the server's stamps: when it was created, refreshed, deleted. */
interface Ticket {
  id: string;
  lock: string;
  pid: string | undefined;
  /** The queue's order: the server's `timeCreated`, then the name. */
  timeCreated: number;
  inserted: number;
  deleted: number | undefined;
  ttl: number;
  commits: Array<Of<'server-ticket'>>;
}

/**
 * Grants follow ticket order (spec §7, issue 16), judged at the server. A grant is a queue jump when:
 * - it went to the holder of ticket T while an older ticket T' (ahead of T in the queue's order, and
 *   inserted before T, so that every listing T's holder made after taking T showed it) was live the
 *   whole time from T's insert to the grant: never deleted, never expired (its holder refreshed it
 *   within a ttl each time, on the server's clock and on a waiter's). Such a T' was ahead of T in every
 *   listing T's holder made, so T's holder was never the head that may take the lock;
 * - or it went to a contender with no ticket although the record it replaced was flagged
 *   `gcs-lock-queued`: a freed lock flagged so is reserved for the queue's head.
 * What it cannot judge: a ticket that expired for a moment (a refresh delayed past its ttl) may be
 * skipped by the queue, rightly; a grant to a head whose predecessor died is in order. Those are not
 * flagged, so a waiter skipped because its ticket lapsed is not a violation here (its wait is still
 * bounded: check/waits.ts).
 *
 * Returns the queue jumps; flags them only in fair runs (unfair contenders may barge, by design).
 */
export function checkQueueOrder(
  events: readonly HistoryEvent[],
  grants: Map<string, Grant[]>,
  clock: ServerClock,
  fair: boolean,
  flag: Flag,
): number {
  const tickets = collectTickets(events);
  const previous = replacedRecords(events);
  let jumps = 0;
  for (const chain of grants.values()) {
    for (const grant of chain) {
      const insert = grant.commits[0]!.event;
      const pid = insert.record.pid;
      const own = tickets
        .filter((t) => t.lock === grant.lock && t.pid === pid && t.inserted < grant.start)
        .filter((t) => t.deleted === undefined || t.deleted > grant.start)
        .at(-1);
      const replaced = previous.get(insert);
      let problem: string | undefined;
      let evidence: HistoryEvent[] = [insert];
      if (own) {
        const ahead = tickets.find(
          (t) =>
            t.lock === grant.lock &&
            t !== own &&
            t.inserted < own.inserted &&
            before(t, own) &&
            liveThroughout(t, own.inserted, grant.start, clock),
        );
        if (ahead) {
          problem =
            `token ${grant.token} went at ${ms(grant.start)} to the holder of ticket ${own.id} (pid ${pid}), ` +
            `while ticket ${ahead.id} (pid ${ahead.pid}), ahead of it, was live from ${ms(own.inserted)} on`;
          evidence = [ahead.commits[0]!, own.commits[0]!, insert];
        }
      } else if (replaced?.record.queued === '1') {
        problem =
          `token ${grant.token} went at ${ms(grant.start)} to pid ${pid}, which had no ticket, although ` +
          `the record it replaced was reserved for the queue (gcs-lock-queued)`;
        evidence = [replaced, insert];
      }
      if (problem === undefined) continue;
      jumps++;
      if (fair) flag('queue-jump', `${grant.lock}: ${problem}`, evidence);
    }
  }
  return jumps;
}

function collectTickets(events: readonly HistoryEvent[]): Ticket[] {
  const byId = new Map<string, Ticket>();
  for (const stamp of ofType(events, 'server-ticket')) {
    const key = `${stamp.lock}/${stamp.ticket}`;
    let ticket = byId.get(key);
    if (stamp.op === 'insert') {
      ticket = {
        id: stamp.ticket,
        lock: stamp.lock,
        pid: stamp.pid,
        timeCreated: stamp.timeCreated,
        inserted: stamp.mono,
        deleted: undefined,
        ttl: stamp.ttl,
        commits: [stamp],
      };
      byId.set(key, ticket);
    } else if (ticket && stamp.op === 'delete') ticket.deleted ??= stamp.mono;
    else if (ticket && stamp.refresh !== ticket.commits.at(-1)?.refresh) ticket.commits.push(stamp);
  }
  return [...byId.values()];
}

const before = (a: Ticket, b: Ticket): boolean =>
  a.timeCreated < b.timeCreated || (a.timeCreated === b.timeCreated && a.id < b.id);

/** Whether the ticket existed and was unexpired at every moment of [from, to]. */
function liveThroughout(ticket: Ticket, from: number, to: number, clock: ServerClock): boolean {
  if (ticket.inserted > from || (ticket.deleted !== undefined && ticket.deleted <= to)) return false;
  const commits = ticket.commits.filter((commit) => commit.mono <= to);
  for (let i = 0; i < commits.length; i++) {
    const until = commits[i + 1]?.mono ?? to;
    if (until < from) continue;
    if (expiryOf(commits[i]!, ticket.ttl, clock) <= until) return false;
  }
  return true;
}

/** For each grant's insert, the lock record it replaced (the last stamp of that lock before it). */
function replacedRecords(events: readonly HistoryEvent[]): Map<HistoryEvent, Of<'server-lock'>> {
  const last = new Map<string, Of<'server-lock'>>();
  const replaced = new Map<HistoryEvent, Of<'server-lock'>>();
  for (const stamp of ofType(events, 'server-lock')) {
    const before = last.get(stamp.lock);
    if (stamp.op === 'insert' && before && before.op !== 'delete') replaced.set(stamp, before);
    last.set(stamp.lock, stamp);
  }
  return replaced;
}
