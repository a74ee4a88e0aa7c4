import type { CounterMode, HistoryEvent } from '../history.js';
import type { Grant } from './grants.js';
import { ms, ofType, type Flag, type Of } from './types.js';

export interface CounterFigures {
  accepted: number;
  lateWrites: number;
  lostUpdates: number;
}

/**
 * The counter, in the order its writes landed at the server:
 * - every write sets the value one above the last (`lost-update` when it reads a stale value and
 *   writes over an increment; `phantom-write` if a value appears from nowhere), and the final value is
 *   the last one written;
 * - every write carries a token the lock granted (`orphan-write`), and every write a worker saw
 *   accepted is among them (`phantom-write`);
 * - fenced mode: writes land in grant order (`counter-order`: a write of an earlier grant after one of
 *   a later grant, judged by the grants the writes came from, not by the tokens they carry, so that a
 *   wrong token shows); a write of an older grant that lands after a newer grant but before the newer
 *   holder's first write is what fencing orders correctly, and only counted;
 * - unconditional mode: no write lands after its grant ended at the server (`late-write`): the lock
 *   alone protects this counter.
 */
export function checkCounters(
  events: readonly HistoryEvent[],
  grants: Map<string, Grant[]>,
  mode: CounterMode,
  final: Of<'final'> | undefined,
  flag: Flag,
): CounterFigures {
  const figures: CounterFigures = { accepted: 0, lateWrites: 0, lostUpdates: 0 };
  const stamps = ofType(events, 'server-counter');
  const writers = new Set(stamps.map((stamp) => stamp.writer));
  for (const accepted of ofType(events, 'write-accepted')) {
    if (!writers.has(accepted.id)) {
      flag(
        'phantom-write',
        `${accepted.src}: write ${accepted.id} was accepted, but the server never stored it`,
        [accepted],
      );
    }
  }
  const locks = new Set([...stamps.map((stamp) => stamp.lock), ...Object.keys(final?.counters ?? {})]);
  const sent = new Map(ofType(events, 'write-sent').map((event) => [event.id, event]));
  for (const lock of locks) {
    const chain = grants.get(lock) ?? [];
    let value = 0;
    /** The latest grant (its place in the chain) whose write the counter took so far. */
    let latest: { at: number; stamp: Of<'server-counter'> } | undefined;
    let last: Of<'server-counter'> | undefined;
    for (const stamp of stamps.filter((s) => s.lock === lock)) {
      figures.accepted++;
      if (stamp.value <= value) {
        figures.lostUpdates += value - stamp.value + 1;
        flag(
          'lost-update',
          `${lock}: write ${stamp.writer} set the counter to ${stamp.value} over ${value}: an increment was lost`,
          [last ?? stamp, stamp],
        );
      } else if (stamp.value > value + 1) {
        flag(
          'phantom-write',
          `${lock}: write ${stamp.writer} set the counter to ${stamp.value} after ${value}`,
          [last ?? stamp, stamp],
        );
      }
      value = stamp.value;
      last = stamp;
      // The write's grant: its writer's lease (the write names it), else the token it carries.
      const token = sent.get(stamp.writer)?.token ?? stamp.token;
      const grant = chain.find((g) => g.token === token);
      if (!grant) {
        flag(
          'orphan-write',
          `${lock}: write ${stamp.writer} carries token ${stamp.token}, which the lock never granted`,
          [stamp],
        );
        continue;
      }
      const at = chain.indexOf(grant);
      // Fenced: the counter must order writes as the lock ordered its grants, whatever their tokens.
      if (mode === 'fenced' && latest && at < latest.at) {
        flag(
          'counter-order',
          `${lock}: write ${stamp.writer} of token ${grant.token} landed after a write of the later grant ` +
            `${chain[latest.at]!.token} (the counter was handed ${stamp.token} after ${latest.stamp.token})`,
          [latest.stamp, stamp],
        );
      }
      if (!latest || at > latest.at) latest = { at, stamp };
      if (grant.end === undefined || stamp.mono < grant.end) continue;
      figures.lateWrites++;
      if (mode === 'unconditional') {
        flag(
          'late-write',
          `${lock}: write ${stamp.writer} of token ${stamp.token} landed at ${ms(stamp.mono)}, after the grant ended ` +
            `(${grant.endKind} at ${ms(grant.end)}${grant.successor ? `; token ${grant.successor.token} granted at ${ms(grant.successor.start)}` : ''})`,
          [grant.commits[0]!.event, ...(grant.successor ? [grant.successor.commits[0]!.event] : []), stamp],
        );
      }
    }
    const finalValue = final?.counters[lock];
    if (finalValue !== undefined && finalValue !== value) {
      flag(
        finalValue < value ? 'lost-update' : 'phantom-write',
        `${lock}: the counter ends at ${finalValue}, but the last write the server stamped set ${value}`,
        [final!],
      );
    }
  }
  return figures;
}
