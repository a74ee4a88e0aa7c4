import { beforeEach, describe, expect, it } from 'vitest';
import { crc32cBase64 } from '../../../src/server/engine/crc32c.js';
import { StorageEngine } from '../../../src/server/engine/engine.js';
import { engineRefusal } from '../../helpers/refusals.js';

const data = (text: string): { data: Buffer } => ({ data: Buffer.from(text) });

describe('composeObject', () => {
  let engine: StorageEngine;
  beforeEach(() => {
    engine = new StorageEngine({ buckets: ['bkt1', { name: 'versioned', versioning: true }] });
  });

  it('concatenates the sources into a composite: crc32c of the whole, no md5, componentCount', () => {
    engine.insertObject('bkt1', 'a', data('hello '));
    engine.insertObject('bkt1', 'b', data('world'));
    const out = engine.composeObject('bkt1', 'out', [{ name: 'a' }, { name: 'b' }], {
      contentType: 'text/plain',
      metadata: { k: 'v' },
    });
    expect(out.data.toString()).toBe('hello world');
    expect(out).toMatchObject({
      componentCount: 2,
      contentType: 'text/plain',
      metadata: { k: 'v' },
      metageneration: 1n,
    });
    expect(out.crc32c).toBe(crc32cBase64(Buffer.from('hello world')));
    expect(out.md5Hash).toBeUndefined();
  });

  it("sums the sources' component counts", () => {
    engine.insertObject('bkt1', 'a', data('a'));
    engine.composeObject('bkt1', 'two', [{ name: 'a' }, { name: 'a' }]);
    expect(engine.composeObject('bkt1', 'three', [{ name: 'two' }, { name: 'a' }]).componentCount).toBe(3);
  });

  it('composes a named noncurrent version', () => {
    const old = engine.insertObject('versioned', 'a', data('old'));
    engine.insertObject('versioned', 'a', data('new'));
    const out = engine.composeObject('versioned', 'out', [
      { name: 'a', generation: old.generation.toString() },
    ]);
    expect(out.data.toString()).toBe('old');
  });

  it('a failed source ifGenerationMatch is 412 and changes nothing', () => {
    const fence = engine.insertObject('bkt1', 'fence', data(''));
    const pinned = { name: 'fence', ifGenerationMatch: fence.generation.toString() };
    engine.composeObject('bkt1', 'out', [pinned]);
    engine.insertObject('bkt1', 'fence', data('')); // the fence moved on
    const before = engine.getObject('bkt1', 'out');
    expect(engineRefusal(() => engine.composeObject('bkt1', 'out', [pinned])).status).toBe(412);
    expect(engine.getObject('bkt1', 'out')).toEqual(before);
  });

  it("the destination's own preconditions hold or nothing changes (412)", () => {
    engine.insertObject('bkt1', 'a', data('a'));
    engine.composeObject('bkt1', 'out', [{ name: 'a' }], {}, { ifGenerationMatch: '0' });
    const error = engineRefusal(() =>
      engine.composeObject('bkt1', 'out', [{ name: 'a' }], {}, { ifGenerationMatch: '0' }),
    );
    expect(error).toMatchObject({ status: 412, reason: 'conditionNotMet' });
  });

  it('a missing source is 404 naming it; none is 400; more than 32 is 400', () => {
    engine.insertObject('bkt1', 'a', data('a'));
    expect(
      engineRefusal(() => engine.composeObject('bkt1', 'out', [{ name: 'a' }, { name: 'nope' }])),
    ).toMatchObject({
      status: 404,
      message: 'Object bkt1/nope not found.',
    });
    expect(engineRefusal(() => engine.composeObject('bkt1', 'out', [])).status).toBe(400);
    const many = Array.from({ length: 33 }, () => ({ name: 'a' }));
    expect(engineRefusal(() => engine.composeObject('bkt1', 'out', many)).message).toBe(
      'The number of source components provided (33) exceeds the maximum (32).',
    );
    expect(engine.composeObject('bkt1', 'out', many.slice(1)).componentCount).toBe(32);
  });

  it('a generation and an ifGenerationMatch that differ are a 400', () => {
    const a = engine.insertObject('bkt1', 'a', data('a'));
    const source = { name: 'a', generation: a.generation.toString(), ifGenerationMatch: '1' };
    expect(engineRefusal(() => engine.composeObject('bkt1', 'out', [source])).status).toBe(400);
  });

  it('in a versioned bucket the replaced destination becomes noncurrent', () => {
    engine.insertObject('versioned', 'a', data('a'));
    const first = engine.composeObject('versioned', 'out', [{ name: 'a' }]);
    engine.composeObject('versioned', 'out', [{ name: 'a' }, { name: 'a' }]);
    expect(engine.getObject('versioned', 'out', {}, first.generation).timeDeleted).toBeTypeOf('number');
  });

  it('needs storage.objects.get on the sources and create on the destination', () => {
    engine.insertObject('bkt1', 'a', data('a'));
    for (const permission of ['storage.objects.get', 'storage.objects.create']) {
      engine.setDeniedPermissions('bkt1', [permission]);
      expect(engineRefusal(() => engine.composeObject('bkt1', 'out', [{ name: 'a' }])).status).toBe(403);
    }
    expect(engine.getBucket('bkt1').objects.has('out')).toBe(false);
  });
});
