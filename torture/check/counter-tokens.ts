import type { HistoryEvent } from '../history.js';
import type { Grant } from './grants.js';
import { ofType, type Flag, type Of } from './types.js';

/**
 * What the fenced counter compares is the token it is handed, as an integer; fencing works only if
 * those tokens grow along the lock's grants. The fence does (spec §3); a generation need not
 * (`--generations unordered`: a successor's generation is smaller half the time). Per lock:
 * - `counter-token-order`: a later grant handed the counter a token no greater than an earlier
 *   grant's (the counter would refuse the later holder, or take the earlier one's write after it);
 * - `wrongly-fenced`: the counter refused a holder because of a token that an EARLIER grant (or its
 *   own) had written: fencing shut out the rightful holder.
 * Grants are told apart by the writes' writers (their leases), not by the tokens the writes carry.
 */
export function checkCounterTokens(
  events: readonly HistoryEvent[],
  grants: Map<string, Grant[]>,
  flag: Flag,
): void {
  const sent = new Map(ofType(events, 'write-sent').map((event) => [event.id, event]));
  const stamps = ofType(events, 'server-counter');
  for (const [lock, chain] of grants) {
    /** Per grant (its place in the chain), the first write of it the counter took. */
    const handed = new Map<number, Of<'server-counter'>>();
    /** Which grant wrote each token the counter saw. */
    const writerOf = new Map<string, number>();
    for (const stamp of stamps.filter((s) => s.lock === lock)) {
      const token = sent.get(stamp.writer)?.token ?? stamp.token;
      const at = chain.findIndex((grant) => grant.token === token);
      if (at === -1 || !/^\d+$/.test(stamp.token)) continue;
      if (!handed.has(at)) handed.set(at, stamp);
      writerOf.set(stamp.token, at);
    }
    const ordered = [...handed].sort(([a], [b]) => a - b);
    for (let i = 1; i < ordered.length; i++) {
      const [a, earlier] = ordered[i - 1]!;
      const [b, later] = ordered[i]!;
      if (BigInt(later.token) > BigInt(earlier.token)) continue;
      flag(
        'counter-token-order',
        `${lock}: grant ${chain[b]!.token} handed the counter token ${later.token}, no greater than ` +
          `${earlier.token} from the earlier grant ${chain[a]!.token}: the counter orders these writes backwards`,
        [chain[a]!.commits[0]!.event, earlier, chain[b]!.commits[0]!.event, later],
      );
    }
    for (const rejected of ofType(events, 'write-rejected').filter((e) => e.lock === lock)) {
      const mine = chain.findIndex((grant) => grant.token === rejected.token);
      const theirs = writerOf.get(rejected.seen);
      if (mine === -1 || theirs === undefined || theirs > mine) continue;
      flag(
        'wrongly-fenced',
        `${lock}: the counter refused the holder of token ${rejected.token} because it had seen token ` +
          `${rejected.seen}, written by ${theirs === mine ? 'the same' : 'an earlier'} grant (${chain[theirs]!.token})`,
        [chain[theirs]!.commits[0]!.event, chain[mine]!.commits[0]!.event, rejected],
      );
    }
  }
}
