/**
 * `npm run bench -- --quick`, as a test: the whole benchmark runs, and the request counts the protocol
 * promises hold exactly. Times vary with the machine, so they are reported by the bench, never asserted.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runBench, type BenchResults } from '../../bench/bench.js';

let r: BenchResults;

beforeAll(async () => {
  r = await runBench({ quick: true });
}, 180_000);

describe('bench --quick: gcs-lock request counts', () => {
  it('a first (cold) uncontended acquire + release is one read, one insert and one patch', () => {
    for (const key of ['gcs-lock', 'gcs-lock-fast'] as const) {
      const cycle = r.uncontended.cycles[key];
      expect(new Set(cycle.requests)).toEqual(new Set([3]));
      expect(cycle.byOp).toMatchObject({
        insert: 1,
        delete: 0,
        get: 1,
        patch: 1,
        'upload-session': 0,
        other: 0,
      });
    }
    // The lock's own view (its ObjectStore) agrees with the wire.
    expect(r.uncontended.store).toEqual({ insert: 1, patch: 1, total: 3 });
  });

  it('one heartbeat refresh is exactly one patch', () => {
    expect(r.uncontended.refresh.patches).toEqual(r.uncontended.refresh.patches.map(() => 1));
    expect(r.uncontended.refresh.requests).toEqual(r.uncontended.refresh.requests.map(() => 1));
  });

  it('a waiter that waits out one holder inserts twice (its ticket, its grant), never a failing insert', () => {
    for (const key of ['gcs-lock', 'gcs-lock-fast'] as const) {
      const waiter = r.uncontended.waiter[key];
      // Cold, it reads first: no optimistic insert that answers 412.
      expect(waiter.inserts).toBe(2);
      expect(waiter.inserts412).toBe(0);
      expect(waiter.uploadSessions).toBe(0);
      expect(waiter.gets).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('bench --quick: the classic recipe, as measured', () => {
  it('resumable save is two requests (session, then data); resumable: false is one; delete is one', () => {
    const classic = r.uncontended.cycles.classic;
    expect(new Set(classic.requests)).toEqual(new Set([3]));
    expect(classic.byOp).toMatchObject({ 'upload-session': 1, insert: 1, delete: 1, get: 0, patch: 0 });
    const oneRequest = r.uncontended.cycles['classic-1req'];
    expect(new Set(oneRequest.requests)).toEqual(new Set([2]));
    expect(oneRequest.byOp).toMatchObject({ 'upload-session': 0, insert: 1, delete: 1, get: 0, patch: 0 });
  });

  it('its waiter waits with writes only: one create per attempt, never a read', () => {
    const resumable = r.uncontended.waiter.classic;
    expect(resumable.gets).toBe(0);
    expect(resumable.uploadSessions).toBe(resumable.inserts);
    expect(resumable.inserts).toBeGreaterThanOrEqual(2);
    const oneRequest = r.uncontended.waiter['classic-1req'];
    expect(oneRequest.gets).toBe(0);
    expect(oneRequest.uploadSessions).toBe(0);
    expect(oneRequest.inserts).toBeGreaterThanOrEqual(2);
  });
});

describe('bench --quick: every scenario ran', () => {
  it('contention: acquisitions happened, never two holders, gcs-lock never threw', () => {
    expect(r.contention).toHaveLength(2 * 4);
    for (const cell of r.contention) {
      expect(cell.acquisitions).toBeGreaterThan(0);
      expect(cell.overlaps).toBe(0);
      if (cell.variant.startsWith('gcs-lock')) expect(cell.failedAcquires + cell.failedReleases).toBe(0);
    }
  });

  it('recovery: gcs-lock takes over a killed holder; the classic recipe never does', () => {
    expect(r.recovery.recoveryMs['gcs-lock']).not.toBeNull();
    expect(r.recovery.recoveryMs['gcs-lock-fast']).not.toBeNull();
    expect(r.recovery.recoveryMs.classic).toBeNull();
    expect(r.recovery.recoveryMs['classic-1req']).toBeNull();
  });

  it('scale and server: leases held without a failed refresh; the server benchmark reported', () => {
    expect(r.scale.map((s) => s.refreshFailures)).toEqual([0]);
    expect(r.server.startupMs).toBeGreaterThan(0);
    expect(r.server.rates.length).toBeGreaterThan(0);
  });
});
