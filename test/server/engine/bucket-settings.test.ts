import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StorageEngine } from '../../../src/server/engine/engine.js';
import { engineRefusal } from '../../helpers/refusals.js';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const data = (text = 'x'): { data: Buffer } => ({ data: Buffer.from(text) });

describe('bucket settings', () => {
  let engine: StorageEngine;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    engine = new StorageEngine({ buckets: ['bkt1'] });
  });
  afterEach(() => vi.useRealTimers());

  it("a new bucket has GCS's defaults and metageneration 1", () => {
    const bucket = engine.getBucket('bkt1');
    expect(bucket.metageneration).toBe(1n);
    expect(bucket.settings).toEqual({
      storageClass: 'STANDARD',
      location: 'US',
      locationType: 'multi-region',
      versioning: false,
      softDeleteRetentionSeconds: 604800,
      retentionPeriodSeconds: undefined,
      defaultEventBasedHold: false,
      lifecycleRules: [],
      requesterPays: false,
      uniformBucketLevelAccess: false,
      publicAccessPrevention: 'inherited',
      labels: {},
      deniedPermissions: [],
    });
  });

  it('updateBucket changes only what it is given, bumps the metageneration and `updated`', () => {
    vi.setSystemTime(T0 + 1000);
    const bucket = engine.updateBucket('bkt1', { versioning: true, softDeleteRetentionSeconds: 0 });
    expect(bucket).toMatchObject({ metageneration: 2n, updated: T0 + 1000, timeCreated: T0 });
    expect(bucket.settings).toMatchObject({
      versioning: true,
      softDeleteRetentionSeconds: 0,
      storageClass: 'STANDARD',
    });
  });

  it('updateBucket honours ifMetagenerationMatch (412) and ifMetagenerationNotMatch (304)', () => {
    expect(
      engineRefusal(() => engine.updateBucket('bkt1', { versioning: true }, { ifMetagenerationMatch: '2' }))
        .status,
    ).toBe(412);
    expect(engineRefusal(() => engine.describeBucket('bkt1', { ifMetagenerationNotMatch: '1' })).status).toBe(
      304,
    );
    expect(
      engine.updateBucket('bkt1', { versioning: true }, { ifMetagenerationMatch: '1' }).metageneration,
    ).toBe(2n);
    expect(engine.getBucket('bkt1').settings.versioning).toBe(true);
  });

  it.each([
    [{ storageClass: 'GOLD' }, /storageClass/],
    [{ softDeleteRetentionSeconds: 3600 }, /0 \(off\) or from 604800/],
    [{ softDeleteRetentionSeconds: 91 * 86400 }, /90 days/],
    [{ retentionPeriodSeconds: 0 }, /retentionPeriod/],
    [{ versioning: 'yes' as unknown as boolean }, /versioning: true or false/],
    [{ publicAccessPrevention: 'sometimes' }, /publicAccessPrevention/],
    [{ labels: { Bad: 'x' } }, /label "Bad"/],
    [{ deniedPermissions: ['delete'] }, /deniedPermissions/],
  ])('refuses a bad setting with 400 naming it, and changes nothing: case %#', (changes, problem) => {
    const error = engineRefusal(() => engine.updateBucket('bkt1', changes));
    expect(error).toMatchObject({ status: 400, reason: 'invalid' });
    expect(error.message).toMatch(problem);
    expect(engine.getBucket('bkt1').metageneration).toBe(1n);
  });

  describe('retention policy', () => {
    beforeEach(() => {
      engine.createBucket('locked', { retentionPeriodSeconds: 60 });
      engine.insertObject('locked', 'a', data());
    });

    it('refuses to delete or overwrite an object younger than the period: 403 retentionPolicyNotMet', () => {
      for (const refused of [
        engineRefusal(() => engine.deleteObject('locked', 'a')),
        engineRefusal(() => engine.insertObject('locked', 'a', data('new'))),
      ]) {
        expect(refused).toMatchObject({ status: 403, reason: 'retentionPolicyNotMet' });
        expect(refused.message).toBe(
          "Object 'locked/a' is subject to bucket's retention policy or object retention and cannot be " +
            'deleted or overwritten until 2030-01-01T12:01:00.000Z',
        );
      }
      expect(engine.getObject('locked', 'a').data.toString()).toBe('x');
    });

    it('allows both once the object is old enough', () => {
      vi.setSystemTime(T0 + 60_000);
      engine.insertObject('locked', 'a', data('new'));
      vi.setSystemTime(T0 + 120_000);
      engine.deleteObject('locked', 'a');
      expect(engine.getBucket('locked').objects.size).toBe(0);
    });

    it('in a versioned bucket a replaced version becomes noncurrent, still protected', () => {
      engine.updateBucket('locked', { versioning: true });
      const first = engine.getObject('locked', 'a');
      engine.insertObject('locked', 'a', data('new'));
      const refused = engineRefusal(() => engine.deleteObject('locked', 'a', {}, first.generation));
      expect(refused.reason).toBe('retentionPolicyNotMet');
    });
  });

  it('defaultEventBasedHold: new objects are held, and a held object cannot go until released', () => {
    engine.createBucket('held', { defaultEventBasedHold: true });
    const object = engine.insertObject('held', 'a', data());
    expect(object.eventBasedHold).toBe(true);
    const refused = engineRefusal(() => engine.deleteObject('held', 'a'));
    expect(refused).toMatchObject({ status: 403, reason: 'forbidden' });
    expect(refused.message).toBe(
      "Object 'held/a' is under active Event-Based hold and cannot be deleted, overwritten or archived until hold is removed.",
    );
    expect(engineRefusal(() => engine.insertObject('held', 'a', data())).status).toBe(403);
    engine.patchObject('held', 'a', { eventBasedHold: false });
    engine.deleteObject('held', 'a');
    expect(engine.getBucket('held').objects.size).toBe(0);
  });

  describe('denied permissions', () => {
    const message = (permission: string, resource: string): string =>
      `Caller does not have ${permission} access to the Google Cloud Storage ${resource}. ` +
      `Permission '${permission}' denied on resource (or it may not exist).`;

    it.each([
      ['storage.objects.create', (e: StorageEngine) => e.insertObject('bkt1', 'new', data())],
      ['storage.objects.get', (e: StorageEngine) => e.getObject('bkt1', 'a')],
      ['storage.objects.get', (e: StorageEngine) => e.findObject('bkt1', 'missing')],
      ['storage.objects.update', (e: StorageEngine) => e.patchObject('bkt1', 'a', { metadata: {} })],
      ['storage.objects.delete', (e: StorageEngine) => e.deleteObject('bkt1', 'a')],
      ['storage.objects.delete', (e: StorageEngine) => e.insertObject('bkt1', 'a', data('overwrite'))],
      ['storage.objects.list', (e: StorageEngine) => e.listObjects('bkt1')],
      ['storage.buckets.get', (e: StorageEngine) => e.describeBucket('bkt1')],
      ['storage.buckets.update', (e: StorageEngine) => e.updateBucket('bkt1', { versioning: true })],
    ])('%s denied: 403 in GCS words, nothing changed', (permission, run) => {
      const before = engine.insertObject('bkt1', 'a', data());
      engine.setDeniedPermissions('bkt1', [permission]);
      const error = engineRefusal(() => run(engine));
      const resource = permission.startsWith('storage.objects.') ? 'object' : 'bucket';
      expect(error).toMatchObject({
        status: 403,
        reason: 'forbidden',
        message: message(permission, resource),
      });
      expect(engine.getBucket('bkt1').objects.get('a')).toEqual(before);
      expect(engine.getBucket('bkt1').objects.has('new')).toBe(false);
      expect(engine.getBucket('bkt1').metageneration).toBe(1n);
    });

    it('a create of a new name needs no delete permission; [] grants everything again', () => {
      engine.setDeniedPermissions('bkt1', ['storage.objects.delete']);
      engine.insertObject('bkt1', 'fresh', data(), { ifGenerationMatch: '0' });
      engine.setDeniedPermissions('bkt1', []);
      engine.deleteObject('bkt1', 'fresh');
    });

    it('testPermissions answers what is held, and refuses malformed names', () => {
      engine.setDeniedPermissions('bkt1', ['storage.objects.delete']);
      expect(
        engine.testPermissions('bkt1', [
          'storage.objects.get',
          'storage.objects.delete',
          'compute.instances.list',
        ]),
      ).toEqual(['storage.objects.get']);
      expect(engineRefusal(() => engine.testPermissions('bkt1', [])).status).toBe(400);
      expect(engineRefusal(() => engine.testPermissions('bkt1', ['objects'])).message).toMatch(/'objects'/);
    });
  });
});
