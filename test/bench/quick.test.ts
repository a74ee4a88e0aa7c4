/**
 * `npm run bench -- --quick`, as a test: the whole benchmark runs, and the request counts the protocol
 * promises hold exactly. Times vary with the machine, so they are reported by the bench, never asserted.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runBench, type BenchResults } from '../../bench/bench.js';
import { countIn } from '../../bench/counting-store.js';

let r: BenchResults;

beforeAll(async () => {
  r = await runBench({ quick: true });
}, 180_000);

const GCS_LOCK = ['gcs-lock', 'gcs-lock-unfair'] as const;
const only = (...ops: string[]) => ({
  insert: 0,
  'upload-session': 0,
  get: 0,
  list: 0,
  patch: 0,
  delete: 0,
  compose: 0,
  other: 0,
  ...Object.fromEntries(ops.map((op) => [op, 1])),
});

describe('bench --quick: what an acquisition costs gcs-lock', () => {
  it('warm (this process released it last): one insert and one patch, every time', () => {
    for (const key of GCS_LOCK) {
      const warm = r.costs.cycles[key].warm;
      expect(new Set(warm.requests)).toEqual(new Set([2]));
      expect(warm.byOp).toEqual(only('insert', 'patch'));
    }
    // The lock's own view (its ObjectStore) agrees with the wire.
    expect(r.costs.store.warm).toEqual({ 'lock insert ok': 1, 'lock patch-release ok': 1 });
  });

  it('cold and first ever: a read first, then one insert and one patch', () => {
    for (const key of GCS_LOCK) {
      for (const kind of ['cold', 'first'] as const) {
        const cycle = r.costs.cycles[key][kind];
        expect(new Set(cycle.requests)).toEqual(new Set([3]));
        expect(cycle.byOp).toEqual(only('get', 'insert', 'patch'));
        expect(new Set(cycle.mutations)).toEqual(new Set([2]));
      }
    }
    expect(r.costs.store.cold).toEqual({ 'lock get ok': 1, 'lock insert ok': 1, 'lock patch-release ok': 1 });
  });

  it('takeover of an expired lease: the read that saw it expired and one insert; release one patch', () => {
    expect(r.costs.takeover.tookOver).toBe(true);
    expect(new Set(r.costs.takeover.acquireRequests)).toEqual(new Set([2]));
    expect(r.costs.takeover.byOp).toEqual(only('get', 'insert', 'patch'));
  });

  it('one heartbeat refresh is exactly one patch', () => {
    expect(r.costs.refresh.patches).toEqual(r.costs.refresh.patches.map(() => 1));
    expect(r.costs.refresh.requests).toEqual(r.costs.refresh.requests.map(() => 1));
  });

  it('a fair waiter writes to the lock object only its grant and at most one queue flag', () => {
    const counts = r.costs.waiter['gcs-lock'].counts!;
    expect(countIn(counts, { kind: 'lock', op: 'insert', outcome: 'ok' })).toBe(1);
    expect(countIn(counts, { kind: 'lock', op: 'patch-flag' })).toBeLessThanOrEqual(1);
    const lockWrites = countIn(counts, { kind: 'lock', op: 'write' });
    expect(lockWrites - countIn(counts, { kind: 'lock', op: 'patch-flag' })).toBe(1);
    // Its place in the queue is its own object: a ticket inserted, and deleted once it got the lock.
    expect(countIn(counts, { kind: 'ticket', op: 'insert', outcome: 'ok' })).toBe(1);
    expect(countIn(counts, { kind: 'ticket', op: 'delete', outcome: 'ok' })).toBe(1);
  });

  it('a fair: false waiter writes only its grant, and only reads the lock object while it waits', () => {
    const counts = r.costs.waiter['gcs-lock-unfair'].counts!;
    expect(countIn(counts, { op: 'write' })).toBe(1);
    expect(countIn(counts, { kind: 'lock', op: 'insert', outcome: 'ok' })).toBe(1);
    expect(countIn(counts, { kind: 'ticket' })).toBe(0);
    expect(countIn(counts, { op: 'read' })).toBe(countIn(counts) - 1);
  });

  it('a fenced write is an upload, a compose and a delete: three writes, nothing else', () => {
    const f = r.costs.fencedWrite;
    expect(new Set(f.requests)).toEqual(new Set([3]));
    expect(new Set(f.mutations)).toEqual(new Set([3]));
    expect(f.counts).toEqual({ 'temp insert ok': 1, 'data compose ok': 1, 'temp delete ok': 1 });
  });
});

describe('bench --quick: the classic recipe, as measured', () => {
  it('resumable save is two requests (session, then data); resumable: false is one; delete is one', () => {
    for (const kind of ['warm', 'cold', 'first'] as const) {
      const classic = r.costs.cycles.classic[kind];
      expect(new Set(classic.requests)).toEqual(new Set([3]));
      expect(classic.byOp).toEqual(only('upload-session', 'insert', 'delete'));
      // The session request changes nothing: two mutations of three write-class requests.
      expect(new Set(classic.mutations)).toEqual(new Set([2]));
      const oneRequest = r.costs.cycles['classic-1req'][kind];
      expect(new Set(oneRequest.requests)).toEqual(new Set([2]));
      expect(oneRequest.byOp).toEqual(only('insert', 'delete'));
    }
  });

  it('its waiter waits with writes only: refused creates, never a read', () => {
    for (const key of ['classic', 'classic-1req'] as const) {
      const waiter = r.costs.waiter[key];
      expect(waiter.reads).toBe(0);
      expect(waiter.lockMutations).toBe(1);
      expect(waiter.changedNothing).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('bench --quick: every scenario ran', () => {
  it('contention: acquisitions happened, never two holders, gcs-lock never threw', () => {
    expect(r.contention).toHaveLength(4);
    for (const cell of r.contention) {
      expect(cell.acquisitions).toBeGreaterThan(0);
      expect(cell.overlaps).toBe(0);
      if (cell.variant.startsWith('gcs-lock')) expect(cell.errors).toEqual([]);
    }
  });

  it('fairness loop and write limit: grants in every cell, safe, and every request counted', () => {
    expect(r.loop).toHaveLength(4);
    expect(r.writeLimit).toHaveLength(3);
    for (const cell of [...r.loop, ...r.writeLimit]) {
      expect(cell.errors).toEqual([]);
      // A quick run lets every waiting acquire finish: each worker was granted the lock at least once.
      expect(cell.stats.grants + cell.stats.lateGrants).toBeGreaterThanOrEqual(cell.workers);
      expect(new Set(cell.grants.map((g) => g.worker)).size).toBe(cell.workers);
      expect(cell.stats).toMatchObject({ overlaps: 0, duplicateFences: 0, lost: 0 });
      // The workers' stores saw exactly what the wire saw.
      expect(countIn(cell.counts)).toBe(cell.wireTotal);
    }
    // Workers of one process hand the lock to each other locally, with no ticket.
    for (const cell of r.loop.filter((c) => c.variant.endsWith('-local'))) {
      expect(cell.stats.localHandOvers).toBeGreaterThan(0);
      expect(countIn(cell.counts, { kind: 'ticket' })).toBe(0);
    }
  });

  it('recovery: gcs-lock takes over a killed holder (the classic recipe, which never does, only in a full run)', () => {
    expect(r.recovery.measured.sort()).toEqual(['gcs-lock', 'gcs-lock-unfair']);
    expect(r.recovery.recoveryMs['gcs-lock']).not.toBeNull();
    expect(r.recovery.recoveryMs['gcs-lock-unfair']).not.toBeNull();
  });

  it('scale and server: leases held without a failed refresh; the server benchmark reported', () => {
    expect(r.failures).toEqual([]);
    expect(r.scale.map((s) => s.refreshFailures)).toEqual([0]);
    expect(r.server.startupMs).toBeGreaterThan(0);
    expect(r.server.rates.length).toBeGreaterThan(0);
  });
});
