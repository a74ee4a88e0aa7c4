/**
 * The doctor's bucket-settings and permission checks, end to end: a local GCS server whose buckets
 * have the settings under test, read over HTTP by `GcsStore` (bucket resource, testIamPermissions),
 * exactly as against GCS. Read-only, so no test lock is written here (see lock-cycle.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { doctor } from '../../src/doctor/doctor.js';
import type { DoctorCheck, DoctorReport } from '../../src/doctor/types.js';
import { doctorServer } from './support.js';

const fixture = doctorServer('doctor');
const bucket = fixture.bucket;

async function examine(url: string, options: { ttl?: number; fair?: boolean } = {}): Promise<DoctorReport> {
  return doctor(url, { store: fixture.store, readOnly: true, ...options });
}

function check(report: DoctorReport, id: string): DoctorCheck {
  const found = report.checks.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no check ${id} in ${report.checks.map((c) => c.id).join(', ')}`);
  return found;
}

describe('gcs-lock doctor: a bucket fit for locks', () => {
  it('passes every check and skips the lock cycle when read-only', async () => {
    const report = await examine(`gs://${bucket()}/locks/`);
    expect(report.ok).toBe(true);
    const statuses = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
    expect(statuses).toEqual({
      permissions: 'pass',
      retention: 'pass',
      'event-based-hold': 'pass',
      versioning: 'pass',
      'soft-delete': 'pass',
      'storage-class': 'pass',
      lifecycle: 'pass',
      'requester-pays': 'pass',
      clock: 'pass',
      'round-trip': 'pass',
      'lock-cycle': 'skip',
    });
    expect(report.summary).toEqual({ pass: 10, warn: 0, fail: 0, skip: 1 });
    expect(report.prefix).toBe('locks/');
  });

  it('reports a missing bucket as one failure, with the command that creates it', async () => {
    const report = await examine('gs://no-such-bucket-here');
    expect(report.ok).toBe(false);
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([['bucket', 'fail']]);
    expect(report.checks[0]!.fix).toContain('gcloud storage buckets create gs://no-such-bucket-here');
  });
});

describe('gcs-lock doctor: permissions', () => {
  it('fails without delete, naming what breaks and the role that fixes it', async () => {
    const name = bucket({ deniedPermissions: ['storage.objects.delete'] });
    const result = check(await examine(`gs://${name}`), 'permissions');
    expect(result.status).toBe('fail');
    expect(result.reason).toContain('storage.objects.delete');
    expect(result.reason).toContain('acquired a second time');
    expect(result.fix).toContain('roles/storage.objectUser');
    expect(result.details?.['missing']).toEqual(['storage.objects.delete']);
  });

  it('fails without list in fair mode (waiters list the queue), and only warns when not fair', async () => {
    const name = bucket({ deniedPermissions: ['storage.objects.list'] });
    const fair = check(await examine(`gs://${name}`), 'permissions');
    expect(fair.status).toBe('fail');
    expect(fair.reason).toContain('fair mode');
    const unfair = check(await examine(`gs://${name}`, { fair: false }), 'permissions');
    expect(unfair.status).toBe('warn');
  });

  it('skips the settings checks, saying why, when the caller cannot read the bucket', async () => {
    const report = await examine(`gs://${bucket({ deniedPermissions: ['storage.buckets.get'] })}`);
    const settings = report.checks.filter(
      (c) => !['permissions', 'clock', 'round-trip', 'lock-cycle'].includes(c.id),
    );
    expect(settings).toHaveLength(7);
    for (const skipped of settings) {
      expect(skipped.status).toBe('skip');
      expect(skipped.reason).toContain('storage.buckets.get');
    }
    expect(check(report, 'permissions').status).toBe('pass');
    expect(report.ok).toBe(true);
  });
});

describe('gcs-lock doctor: bucket settings', () => {
  it('fails a retention policy and a default event-based hold', async () => {
    const retention = check(await examine(`gs://${bucket({ retentionPeriodSeconds: 86_400 })}`), 'retention');
    expect(retention).toMatchObject({ status: 'fail', details: { retentionPeriodSeconds: 86_400 } });
    expect(retention.fix).toContain('--clear-retention-period');
    const hold = check(await examine(`gs://${bucket({ defaultEventBasedHold: true })}`), 'event-based-hold');
    expect(hold.status).toBe('fail');
    expect(hold.fix).toContain('--no-default-event-based-hold');
  });

  it('fails versioning without a rule that trims noncurrent versions, warns with one', async () => {
    const bare = check(await examine(`gs://${bucket({ versioning: true })}`), 'versioning');
    expect(bare.status).toBe('fail');
    expect(bare.fix).toContain('daysSinceNoncurrentTime');
    const trimmed = bucket({
      versioning: true,
      lifecycleRules: [{ action: { type: 'Delete' }, condition: { daysSinceNoncurrentTime: 1 } }],
    });
    const report = await examine(`gs://${trimmed}`);
    expect(check(report, 'versioning').status).toBe('warn');
    // The trimming rule only touches noncurrent versions: no threat to a live lock.
    expect(check(report, 'lifecycle').status).toBe('pass');
  });

  it('warns about soft delete, naming its retention', async () => {
    const result = check(
      await examine(`gs://${bucket({ softDeleteRetentionSeconds: 604_800 })}`),
      'soft-delete',
    );
    expect(result.status).toBe('warn');
    expect(result.reason).toContain('7 days');
    expect(result.fix).toContain('--clear-soft-delete');
  });

  it('warns about a storage class other than Standard, and about requester pays', async () => {
    const report = await examine(`gs://${bucket({ storageClass: 'NEARLINE', requesterPays: true })}`);
    expect(check(report, 'storage-class')).toMatchObject({
      status: 'warn',
      details: { storageClass: 'NEARLINE' },
    });
    expect(check(report, 'requester-pays').status).toBe('warn');
    expect(report.ok).toBe(true);
  });

  it.each([
    ['an unconditional delete', { action: { type: 'Delete' }, condition: {} }, 'fail'],
    [
      'a delete of live objects only, with no time condition',
      { action: { type: 'Delete' }, condition: { isLive: true } },
      'fail',
    ],
    [
      'a delete at age 0, shorter than the ttl',
      { action: { type: 'Delete' }, condition: { age: 0 } },
      'fail',
    ],
    ['a delete at 30 days', { action: { type: 'Delete' }, condition: { age: 30 } }, 'warn'],
    [
      'a move to Coldline',
      { action: { type: 'SetStorageClass', storageClass: 'COLDLINE' }, condition: { age: 30 } },
      'warn',
    ],
    [
      'a delete of noncurrent versions',
      { action: { type: 'Delete' }, condition: { isLive: false, age: 1 } },
      'pass',
    ],
    [
      'a delete of two versions back',
      { action: { type: 'Delete' }, condition: { numNewerVersions: 2 } },
      'pass',
    ],
    [
      'a delete under another prefix',
      { action: { type: 'Delete' }, condition: { matchesPrefix: ['logs/'] } },
      'pass',
    ],
    ['a delete on customTime', { action: { type: 'Delete' }, condition: { daysSinceCustomTime: 1 } }, 'pass'],
  ] as const)('judges a lifecycle rule: %s', async (_what, rule, expected) => {
    const name = bucket({
      lifecycleRules: [{ action: { ...rule.action }, condition: { ...rule.condition } }],
    });
    const result = check(await examine(`gs://${name}/locks/`), 'lifecycle');
    expect(result.status).toBe(expected);
    if (expected !== 'pass') expect(result.fix).toContain('--lifecycle-file');
  });

  it('applies a prefix rule to the locks under it', async () => {
    const rule = { action: { type: 'Delete' }, condition: { matchesPrefix: ['locks/ci/'] } };
    const name = bucket({ lifecycleRules: [rule] });
    expect(check(await examine(`gs://${name}/locks/`), 'lifecycle').status).toBe('fail');
    expect(check(await examine(`gs://${name}/other/`), 'lifecycle').status).toBe('pass');
  });
});

describe('gcs-lock doctor: the service', () => {
  it('warns about a server clock 90 s off, which people reading status would trip over', async () => {
    const name = bucket();
    fixture.server.setClockOffset(90_000);
    try {
      const result = check(await examine(`gs://${name}`), 'clock');
      expect(result.status).toBe('warn');
      expect(result.reason).toMatch(/about \d+\.\d s behind/);
      const skew = result.details?.['skewMs'] as number;
      expect(skew).toBeGreaterThan(-92_000);
      expect(skew).toBeLessThan(-88_000);
    } finally {
      fixture.server.setClockOffset(0);
    }
  });

  it('fails a round trip too slow for the ttl (injected latency on every read)', async () => {
    const name = bucket();
    fixture.server.faults.add({ kind: 'latency', latencyMs: 400, ops: ['get'] });
    try {
      // ttl 1 s: refresh every 250 ms, loss after 800 ms: a 400 ms read leaves no room for a retry.
      const report = await doctor(`gs://${name}`, { store: fixture.store, readOnly: true, ttl: 1_000 });
      const result = check(report, 'round-trip');
      expect(result.status).toBe('fail');
      expect(result.details?.['medianMs']).toBeGreaterThanOrEqual(400);
      expect(result.fix).toContain('ttl of at least');
    } finally {
      fixture.server.faults.clear();
    }
  });
});
