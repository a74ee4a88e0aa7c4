/**
 * The doctor's real lock cycle (acquire → refresh → release → acquire again → release) against a
 * local GCS server over HTTP: its request count, the clean-up of its test object, and how it fails
 * on buckets that break locks (retention, holds, a missing permission).
 */
import { describe, expect, it } from 'vitest';
import { doctor } from '../../src/doctor/doctor.js';
import type { DoctorCheck } from '../../src/doctor/types.js';
import { doctorServer } from './support.js';

const fixture = doctorServer('cycle');
const bucket = fixture.bucket;

async function cycle(url: string): Promise<DoctorCheck> {
  const report = await doctor(url, { store: fixture.store });
  const found = report.checks.find((check) => check.id === 'lock-cycle');
  if (!found) throw new Error('no lock-cycle check');
  return found;
}

function live(name: string): string[] {
  return [...fixture.server.engine.getBucket(name).objects.keys()];
}

function noncurrent(name: string): number {
  return [...fixture.server.engine.getBucket(name).noncurrent.values()].reduce(
    (sum, versions) => sum + versions.length,
    0,
  );
}

describe('gcs-lock doctor: the lock cycle', () => {
  it('acquires, refreshes, releases, acquires again and releases in 6 requests, then deletes its object', async () => {
    const name = bucket();
    const result = await cycle(`gs://${name}/locks/`);
    expect(result.status).toBe('pass');
    expect(result.details).toMatchObject({
      ok: true,
      total: 6,
      requests: { get: 1, insert: 2, patch: 3, delete: 0, list: 0 },
      steps: [
        { name: 'acquire', requests: 2 },
        { name: 'refresh', requests: 1 },
        { name: 'release', requests: 1 },
        { name: 'acquire again', requests: 1 },
        { name: 'release', requests: 1 },
      ],
    });
    expect(result.reason).toMatch(/gs:\/\/cycle-\d+\/locks\/\.gcs-lock-doctor-[0-9a-f]{8}/);
    expect(result.reason).toContain('was deleted (pinned to its generation)');
    expect(live(name)).toEqual([]);
  });

  it('writes nothing at all with --read-only', async () => {
    const name = bucket();
    const report = await doctor(`gs://${name}`, { store: fixture.store, readOnly: true });
    expect(report.checks.find((check) => check.id === 'lock-cycle')?.status).toBe('skip');
    expect(live(name)).toEqual([]);
    expect(noncurrent(name)).toBe(0);
  });

  it('works on a versioned bucket, and says that noncurrent versions stay behind', async () => {
    const name = bucket({ versioning: true });
    const result = await cycle(`gs://${name}`);
    expect(result.status).toBe('pass');
    expect(result.reason).toContain('noncurrent versions stay');
    expect(live(name)).toEqual([]);
    // The first grant replaced by the second, and the second made noncurrent by the delete.
    expect(noncurrent(name)).toBe(2);
  });

  it('fails at the second grant on a bucket with a retention policy, and leaves the object', async () => {
    const name = bucket({ retentionPeriodSeconds: 3600 });
    const result = await cycle(`gs://${name}/ci/`);
    expect(result.status).toBe('fail');
    expect(result.reason).toMatch(
      /^acquire again failed on .*\(acquire, refresh, release had worked\): .*403/,
    );
    expect(result.reason).toContain('retention policy');
    expect(result.reason).toContain('could not be deleted');
    expect(result.reason).toContain('gcloud storage rm --all-versions');
    expect(live(name)).toHaveLength(1);
  });

  it('fails at the second grant under a default event-based hold', async () => {
    const name = bucket({ defaultEventBasedHold: true });
    const result = await cycle(`gs://${name}`);
    expect(result.status).toBe('fail');
    expect(result.reason).toMatch(/^acquire again failed/);
    expect(result.reason).toContain('Event-Based hold');
  });

  it('without delete permission: fails at the second grant and does not try to delete', async () => {
    const name = bucket({ deniedPermissions: ['storage.objects.delete'] });
    const result = await cycle(`gs://${name}`);
    expect(result.status).toBe('fail');
    expect(result.reason).toMatch(/^acquire again failed/);
    expect(result.reason).toContain('stays (released)');
    const [object] = live(name);
    expect(fixture.server.engine.getBucket(name).objects.get(object!)?.metadata['gcs-lock-state']).toBe(
      'released',
    );
  });

  it('without create permission: fails at the first grant, having written nothing', async () => {
    const name = bucket({ deniedPermissions: ['storage.objects.create'] });
    const result = await cycle(`gs://${name}`);
    expect(result.status).toBe('fail');
    expect(result.reason).toMatch(/^acquire failed on .*: .*storage\.objects\.create/);
    expect(result.reason).toContain('Nothing was written.');
    expect(result.details).toMatchObject({ ok: false, steps: [{ name: 'acquire' }] });
    expect(live(name)).toEqual([]);
  });
});
