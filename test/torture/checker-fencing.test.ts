import { describe, expect, it } from 'vitest';
import { check } from '../../torture/checker.js';
import type { HistoryEvent } from '../../torture/history.js';
import { History, pidOf } from './history-builder.js';

// Issue 12: what the fenced counter is handed, and fenced writes of the lock's report object. Each
// violation kind: a history with the bad behaviour, flagged with exactly that kind, and its good twin.
const kinds = (events: HistoryEvent[]): string[] =>
  [...new Set(check(events).violations.map((v) => v.kind))].sort();
const lease = { lock: 'L', token: '10' } as const;

/** `--generations unordered`: fences 10 < 20, but token 20's generation (42) is below token 10's (95). */
const unordered = { generations: 'unordered', counterToken: 'generation' } as const;
const generations = { '10': '95', '20': '42' } as const;

describe('torture checker: the tokens the counter is handed', () => {
  it('flags a counter handed raw generations in unordered mode (counter-token-order); fences pass', () => {
    // The unconditional counter takes every write, so the writes land and their tokens go down
    // (95, then 42) while the grants go up: a fenced counter would order these writes backwards.
    const run = (hand: 'fence' | 'generation'): HistoryEvent[] =>
      new History({ ...unordered, counter: 'unconditional', counterToken: hand })
        .round('w0.0', 100, '10', 1, { generation: generations['10'], hand })
        .round('w1.0', 300, '20', 2, { generation: generations['20'], hand })
        .build();
    expect(kinds(run('generation'))).toEqual(['counter-token-order']);
    expect(check(run('generation')).violations[0]!.message).toContain('token 42, no greater than 95');
    expect(kinds(run('fence'))).toEqual([]);
  });

  it('flags the fenced counter refusing the rightful successor over an older grant (wrongly-fenced)', () => {
    // The fenced counter handed generations: token 20's holder reads the counter, sees 95 (token 10's
    // generation, written by the earlier grant) above its own 42, and is refused.
    const refused = new History(unordered)
      .round('w0.0', 100, '10', 1, { generation: generations['10'], hand: 'generation' })
      .grant(300, '20', 'torture worker', { generation: generations['20'] })
      .acquired('w1.0', 302, '20')
      .w('w1.0', 310, { type: 'cs-enter', lock: 'L', token: '20' })
      .w('w1.0', 320, { type: 'write-rejected', lock: 'L', token: '20', seen: generations['10'] })
      .w('w1.0', 330, { type: 'cs-leave', lock: 'L', token: '20', aborted: false })
      .w('w1.0', 340, { type: 'release-start', lock: 'L', token: '20' })
      .release(345, '20')
      .w('w1.0', 350, { type: 'released', lock: 'L', token: '20', result: true })
      .build();
    expect(kinds(refused)).toEqual(['wrongly-fenced']);
    // Handed fences, the successor's write is taken.
    const fenced = new History({ ...unordered, counterToken: 'fence' })
      .round('w0.0', 100, '10', 1, { generation: generations['10'] })
      .round('w1.0', 300, '20', 2, { generation: generations['20'] })
      .build();
    expect(kinds(fenced)).toEqual([]);
  });

  it('accepts the counter refusing a superseded holder because of its successor’s token', () => {
    // Worker 0's lease expired (deadline 2200); token 20 took over and wrote; worker 0's late read
    // sees token 20 above its own 10 and is refused: fencing at work.
    const history = new History()
      .holder()
      .w('w0.0', 2200, { type: 'lost', ...lease, reason: 'expired' })
      .round('w1.0', 2650, '20', 1)
      .w('w0.0', 2700, { type: 'write-rejected', ...lease, seen: '20' })
      .build();
    expect(kinds(history)).toEqual([]);
    expect(check(history).figures.writesRejectedByFencing).toBe(1);
  });
});

/**
 * A zombie: worker 0 is granted token 10 (generation 910) at 100 (its deadline: 1700), stops itself
 * in its critical section at 300 (a zombie-write fault), and is continued at `resume`: it notices its
 * loss, then sends a fenced write with its old lease. With `successor`, worker 1 took the lock over
 * with token 20 (generation 920) at 2650.
 */
function zombie(resume: number, successor: boolean): History {
  const pid = pidOf('w0.0');
  const history = new History()
    .grant(100, '10')
    .acquired('w0.0', 102, '10')
    .w('w0.0', 110, { type: 'cs-enter', ...lease })
    .w('w0.0', 300, { type: 'zombie-stop', ...lease })
    .o(301, {
      type: 'fault',
      kind: 'zombie-write',
      detail: successor ? 'successor' : 'expired',
      ...lease,
      worker: 0,
    })
    .o(301, { type: 'pause', worker: 0, pid, ...lease, ms: 8000 })
    .o(resume, { type: 'resume', worker: 0, pid })
    .w('w0.0', resume + 1, { type: 'lost', ...lease, reason: 'expired' });
  return successor ? history.round('w1.0', 2650, '20', 1) : history;
}

describe('torture checker: fenced writes', () => {
  it("accepts a holder's own fenced write pinned to its grant's generation", () => {
    const history = new History().holder().fencedWrite('w0.0', 300, '10', 'w0.0.r1').build();
    expect(kinds(history)).toEqual([]);
    expect(check(history).figures.fenced.accepted).toBe(1);
  });

  it("flags GCS accepting a zombie's write after a successor's grant (stale-fenced-write); refused passes", () => {
    // The successor's grant replaced generation 910 with 920: a compose pinned to 910 must fail.
    const write = (status?: 412): HistoryEvent[] =>
      zombie(2660, true)
        .fencedWrite('w0.0', 2670, '10', 'z', { zombie: true, live: '920', ...(status && { status }) })
        .build();
    expect(kinds(write())).toEqual(['stale-fenced-write']);
    expect(kinds(write(412))).toEqual([]);
    const figures = check(write(412)).figures.fenced;
    expect([figures.zombies, figures.zombiesRefused, figures.refused]).toEqual([1, 1, 1]);
  });

  it('flags a fenced write accepted while the lock object held another generation, with no successor', () => {
    // No grant followed, but the lock object's generation was no longer 910 (or it was gone): GCS
    // must have refused the pinned compose.
    const write = (live: string | null): HistoryEvent[] =>
      zombie(3300, false).fencedWrite('w0.0', 3310, '10', 'z', { zombie: true, live }).build();
    expect(kinds(write('999'))).toEqual(['stale-fenced-write']);
    expect(kinds(write(null))).toEqual(['stale-fenced-write']);
    // The lease expired and nobody took the lock over: its generation is still live, GCS may accept.
    expect(kinds(write('910'))).toEqual([]);
    expect(check(write('910')).figures.fenced.zombiesAcceptedBeforeSuccessor).toBe(1);
  });

  it("flags a 412 while the write's generation was still the lock's (wrongly-refused); a 429 passes", () => {
    const refused = (status: 412 | 429, live: string): HistoryEvent[] =>
      new History().holder().fencedWrite('w0.0', 300, '10', 'w0.0.r1', { status, live }).build();
    expect(kinds(refused(412, '910'))).toEqual(['wrongly-refused']);
    // The rate limit refuses a write whatever its generation; a 412 after the generation moved is right.
    expect(kinds(refused(429, '910'))).toEqual([]);
    expect(kinds(refused(412, '911'))).toEqual([]);
  });

  it("flags a write pinned to a generation other than its writer's grant (fence-mismatch)", () => {
    // Token 20's holder writes pinned to token 10's generation (910), or to one the lock never had;
    // GCS refuses both (the live generation is 920), but the lease handed the wrong generation.
    const write = (pinned: string | undefined): HistoryEvent[] =>
      new History()
        .round('w0.0', 100, '10', 1)
        .round('w1.0', 300, '20', 2)
        .fencedWrite('w1.0', 315, '20', 'w1.0.r1', {
          ...(pinned !== undefined && { pinned, live: '920', status: 412 }),
        })
        .build();
    expect(kinds(write('910'))).toEqual(['fence-mismatch']);
    expect(kinds(write('12345'))).toEqual(['fence-mismatch']);
    expect(check(write('910')).violations[0]!.message).toContain("token 10's, but its writer held token 20");
    expect(kinds(write(undefined))).toEqual([]);
  });

  it('flags a fenced write the worker saw accepted that the server never accepted (phantom-write)', () => {
    const sent = { ...lease, id: 'w0.0.r1', generation: '910', zombie: false, via: 'lease' } as const;
    const history = new History()
      .holder()
      .w('w0.0', 300, { type: 'fenced-write-sent', ...sent })
      .w('w0.0', 320, { type: 'fenced-write-accepted', ...lease, id: 'w0.0.r1' })
      .build();
    expect(kinds(history)).toEqual(['phantom-write']);
  });
});
