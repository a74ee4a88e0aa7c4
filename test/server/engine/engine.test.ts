import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  MAX_METADATA_BYTES,
  StorageEngine,
  type EngineChange,
  type EngineObject,
} from '../../../src/server/engine/engine.js';
import { EngineError } from '../../../src/server/engine/engine-error.js';
import type { Preconditions } from '../../../src/store/object-store.js';
import { engineRefusal } from '../../helpers/refusals.js';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

const data = (text = 'x'): { data: Buffer } => ({ data: Buffer.from(text) });

describe('StorageEngine', () => {
  let engine: StorageEngine;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    engine = new StorageEngine({ buckets: ['bkt1'] });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  describe('buckets', () => {
    it('pre-creates the buckets named in the options, and creates more on demand', () => {
      expect(engine.getBucket('bkt1')).toMatchObject({ name: 'bkt1', timeCreated: T0 });
      const created = engine.createBucket('bkt0');
      expect(created.name).toBe('bkt0');
      expect(engine.getBucket('bkt0')).toBe(created);
      expect(engine.listBuckets().map((b) => b.name)).toEqual(['bkt0', 'bkt1']);
    });

    it('answers 409 conflict for a bucket that already exists, and keeps its objects', () => {
      engine.insertObject('bkt1', 'keep', data());
      const error = engineRefusal(() => engine.createBucket('bkt1'));
      expect(error).toMatchObject({ status: 409, reason: 'conflict' });
      expect(engine.getObject('bkt1', 'keep').name).toBe('keep');
    });

    it.each([
      ['ab', /3 to 63/],
      ['Upper', /lowercase/],
      ['goog-locks', /goog/],
      ['192.168.1.2', /IP address/],
    ])('rejects the invalid bucket name %j with 400 naming it', (name, problem) => {
      const error = engineRefusal(() => engine.createBucket(name));
      expect(error).toMatchObject({ status: 400, reason: 'invalid' });
      expect(error.message).toContain(`'${name}'`);
      expect(error.message).toMatch(problem);
      expect(engine.listBuckets().map((b) => b.name)).toEqual(['bkt1']);
    });

    it('answers 404 for a bucket that does not exist, for every operation', () => {
      const errors = [
        engineRefusal(() => engine.getBucket('nope')),
        engineRefusal(() => engine.insertObject('nope', 'o', data())),
        engineRefusal(() => engine.getObject('nope', 'o')),
        engineRefusal(() => engine.patchObject('nope', 'o', { metadata: {} })),
        engineRefusal(() => engine.deleteObject('nope', 'o')),
        engineRefusal(() => engine.listObjects('nope')),
      ];
      for (const error of errors) {
        expect(error).toMatchObject({ status: 404, reason: 'notFound', message: 'No such bucket.' });
      }
    });
  });

  describe('insert and get', () => {
    it('stores data, content type, metadata and checksums, from the server clock', () => {
      const object = engine.insertObject('bkt1', 'dir/a', {
        data: Buffer.from('123456789'),
        contentType: 'text/plain',
        metadata: { k: 'v' },
      });
      expect(object).toMatchObject({
        bucket: 'bkt1',
        name: 'dir/a',
        metageneration: 1n,
        contentType: 'text/plain',
        metadata: { k: 'v' },
        timeCreated: T0,
        updated: T0,
        md5Hash: Buffer.from('25f9e794323b453885f5181f1b624d0b', 'hex').toString('base64'),
        crc32c: Buffer.from('e3069283', 'hex').toString('base64'),
      });
      expect(engine.getObject('bkt1', 'dir/a')).toEqual(object);
    });

    it('defaults the content type to application/octet-stream', () => {
      expect(engine.insertObject('bkt1', 'a', data()).contentType).toBe('application/octet-stream');
    });

    it("copies the caller's metadata, so later changes to it do not leak in", () => {
      const metadata = { k: 'v' };
      engine.insertObject('bkt1', 'a', { ...data(), metadata });
      metadata.k = 'changed';
      expect(engine.getObject('bkt1', 'a').metadata).toEqual({ k: 'v' });
    });

    it('answers 404 notFound for a missing object', () => {
      const error = engineRefusal(() => engine.getObject('bkt1', 'missing'));
      expect(error).toMatchObject({ status: 404, reason: 'notFound', message: 'No such object.' });
    });

    it('an overwrite is a new generation with metageneration 1 and new timeCreated', () => {
      const first = engine.insertObject('bkt1', 'a', { ...data('one'), metadata: { old: '1' } });
      engine.patchObject('bkt1', 'a', { metadata: { p: '1' } });
      vi.setSystemTime(T0 + 5000);
      const second = engine.insertObject('bkt1', 'a', data('two'));
      expect(second.generation).toBeGreaterThan(first.generation);
      expect(second.metageneration).toBe(1n);
      expect(second.metadata).toEqual({});
      expect(second.timeCreated).toBe(T0 + 5000);
      expect(engine.getObject('bkt1', 'a').data.toString()).toBe('two');
    });

    it.each([
      ['', /must not be empty/],
      ['a\nb', /carriage return or line feed/],
      ['.', /"\." or "\.\."/],
      ['..', /"\." or "\.\."/],
      ['.well-known/acme-challenge/x', /acme-challenge/],
      ['x'.repeat(1025), /at most 1024 bytes/],
      ['\ud800', /lone surrogate/],
    ])('rejects an invalid object name with 400, and stores nothing: case %#', (name, problem) => {
      const error = engineRefusal(() => engine.insertObject('bkt1', name, data()));
      expect(error).toMatchObject({ status: 400, reason: 'invalid' });
      expect(error.message).toMatch(problem);
      expect(error.message).toContain('is invalid');
      expect(engine.listObjects('bkt1').items).toEqual([]);
    });

    it('accepts names GCS allows: UTF-8, slashes, spaces, exactly 1024 bytes', () => {
      for (const name of ['a/b/c', 'ünï cødé/😀', 'x'.repeat(1024), 'a//b', '...']) {
        expect(engine.insertObject('bkt1', name, data()).name).toBe(name);
      }
    });
  });

  describe('metadata limits', () => {
    // Values of at most 4 KiB each (the per-value limit), adding up to `bytes` with their keys.
    const sized = (bytes: number): Record<string, string> => {
      const metadata: Record<string, string> = {};
      for (let i = 0, left = bytes; left > 0; i++) {
        const key = `k${i}`;
        const value = Math.min(4096, left - key.length);
        metadata[key] = 'v'.repeat(value);
        left -= key.length + value;
      }
      return metadata;
    };

    it('accepts exactly 8 KiB of keys and values, refuses one byte more with 400', () => {
      expect(MAX_METADATA_BYTES).toBe(8192);
      engine.insertObject('bkt1', 'ok', { ...data(), metadata: sized(8192) });
      const error = engineRefusal(() =>
        engine.insertObject('bkt1', 'big', { ...data(), metadata: sized(8193) }),
      );
      expect(error).toMatchObject({ status: 400, reason: 'invalid' });
      expect(error.message).toContain('8193 bytes');
      expect(error.message).toContain('8192');
      expect(() => engine.getObject('bkt1', 'big')).toThrow(EngineError);
    });

    it('counts UTF-8 bytes, not characters', () => {
      // 'é' is two bytes: 2048 of them fill a 4 KiB value; one more is over.
      engine.insertObject('bkt1', 'a', { ...data(), metadata: { k: 'é'.repeat(2048) } });
      const error = engineRefusal(() =>
        engine.insertObject('bkt1', 'b', { ...data(), metadata: { k: 'é'.repeat(2049) } }),
      );
      expect(error.status).toBe(400);
      expect(error.message).toContain('4098 bytes');
    });

    it('refuses a key over 1 KiB or a value over 4 KiB', () => {
      expect(
        engineRefusal(() =>
          engine.insertObject('bkt1', 'a', { ...data(), metadata: { ['k'.repeat(1025)]: 'v' } }),
        ).message,
      ).toContain('1025 bytes');
      expect(
        engineRefusal(() =>
          engine.insertObject('bkt1', 'a', { ...data(), metadata: { k: 'v'.repeat(4097) } }),
        ).status,
      ).toBe(400);
    });

    it('keeps a key named __proto__ through a patch', () => {
      engine.insertObject('bkt1', 'a', data());
      const patched = engine.patchObject('bkt1', 'a', {
        metadata: JSON.parse('{"__proto__":"x"}') as Record<string, string>,
      });
      expect(Object.keys(patched.metadata)).toContain('__proto__');
    });

    it('refuses a patch that would make the metadata too large, and changes nothing', () => {
      const before = engine.insertObject('bkt1', 'a', { ...data(), metadata: sized(8000) });
      const error = engineRefusal(() =>
        engine.patchObject('bkt1', 'a', { metadata: { more: 'x'.repeat(200) } }),
      );
      expect(error.status).toBe(400);
      expect(engine.getObject('bkt1', 'a')).toBe(before);
    });

    it('refuses a metadata value that is not a string', () => {
      const error = engineRefusal(() =>
        engine.insertObject('bkt1', 'a', { ...data(), metadata: { n: 5 as unknown as string } }),
      );
      expect(error).toMatchObject({ status: 400 });
      expect(error.message).toContain("'n'");
    });
  });

  describe('generations', () => {
    it('are microsecond-like: the server clock in ms times 1000', () => {
      expect(engine.insertObject('bkt1', 'a', data()).generation).toBe(BigInt(T0) * 1000n);
    });

    it('are unique and strictly increasing within one millisecond, across objects', () => {
      const generations: bigint[] = [];
      for (let i = 0; i < 20; i++)
        generations.push(engine.insertObject('bkt1', `o${i % 3}`, data()).generation);
      for (let i = 1; i < generations.length; i++) expect(generations[i]).toBe(generations[i - 1]! + 1n);
      expect(engine.lastGeneration).toBe(generations.at(-1));
    });

    it('keep increasing when the server clock moves backwards', () => {
      const first = engine.insertObject('bkt1', 'a', data()).generation;
      engine.clockOffsetMs = -60_000;
      const second = engine.insertObject('bkt1', 'a', data()).generation;
      vi.setSystemTime(T0 - 3_600_000);
      const third = engine.insertObject('bkt1', 'b', data()).generation;
      expect(second).toBe(first + 1n);
      expect(third).toBe(second + 1n);
    });

    it('jump forward with the clock', () => {
      engine.insertObject('bkt1', 'a', data());
      vi.setSystemTime(T0 + 1);
      expect(engine.insertObject('bkt1', 'a', data()).generation).toBe(BigInt(T0 + 1) * 1000n);
    });

    it('do not change on a patch', () => {
      const inserted = engine.insertObject('bkt1', 'a', data());
      expect(engine.patchObject('bkt1', 'a', { metadata: { k: 'v' } }).generation).toBe(inserted.generation);
    });

    it('restoreGeneration makes every later generation exceed the given one', () => {
      const future = BigInt(T0 + 10_000) * 1000n;
      engine.restoreGeneration(future);
      expect(engine.lastGeneration).toBe(future);
      expect(engine.insertObject('bkt1', 'a', data()).generation).toBe(future + 1n);
      engine.restoreGeneration(5n);
      expect(engine.lastGeneration).toBe(future + 1n);
    });
  });

  describe('patch', () => {
    it('starts metageneration at 1 and adds one per patch', () => {
      engine.insertObject('bkt1', 'a', data());
      expect(engine.patchObject('bkt1', 'a', { metadata: { k: '1' } }).metageneration).toBe(2n);
      expect(engine.patchObject('bkt1', 'a', { metadata: {} }).metageneration).toBe(3n);
      expect(engine.patchObject('bkt1', 'a', {}).metageneration).toBe(4n);
      expect(engine.getObject('bkt1', 'a').metageneration).toBe(4n);
    });

    it('merges metadata: new keys added, existing replaced, null deletes a key', () => {
      engine.insertObject('bkt1', 'a', { ...data(), metadata: { keep: '1', change: '1', drop: '1' } });
      const patched = engine.patchObject('bkt1', 'a', { metadata: { change: '2', drop: null, add: '3' } });
      expect(patched.metadata).toEqual({ keep: '1', change: '2', add: '3' });
    });

    it('a null metadata map clears every key; an absent one keeps them', () => {
      engine.insertObject('bkt1', 'a', { ...data(), metadata: { a: '1', b: '2' } });
      expect(engine.patchObject('bkt1', 'a', { contentType: 'text/plain' }).metadata).toEqual({
        a: '1',
        b: '2',
      });
      expect(engine.patchObject('bkt1', 'a', { metadata: null }).metadata).toEqual({});
    });

    it('deleting a key that is not there is harmless', () => {
      engine.insertObject('bkt1', 'a', { ...data(), metadata: { a: '1' } });
      expect(engine.patchObject('bkt1', 'a', { metadata: { ghost: null } }).metadata).toEqual({ a: '1' });
    });

    it('changes the content type only when asked, and never the data or timeCreated', () => {
      engine.insertObject('bkt1', 'a', { data: Buffer.from('body'), contentType: 'text/plain' });
      vi.setSystemTime(T0 + 1000);
      const same = engine.patchObject('bkt1', 'a', { metadata: { k: 'v' } });
      expect(same.contentType).toBe('text/plain');
      const changed = engine.patchObject('bkt1', 'a', { contentType: 'application/json' });
      expect(changed.contentType).toBe('application/json');
      expect(changed.data.toString()).toBe('body');
      expect(changed.timeCreated).toBe(T0);
    });

    it('moves updated with the server clock, and never backwards', () => {
      engine.insertObject('bkt1', 'a', data());
      vi.setSystemTime(T0 + 2500);
      expect(engine.patchObject('bkt1', 'a', { metadata: { n: '1' } }).updated).toBe(T0 + 2500);
      engine.clockOffsetMs = -10_000;
      expect(engine.patchObject('bkt1', 'a', { metadata: { n: '2' } }).updated).toBe(T0 + 2500);
      engine.clockOffsetMs = 0;
      vi.setSystemTime(T0 + 4000);
      expect(engine.patchObject('bkt1', 'a', { metadata: { n: '3' } }).updated).toBe(T0 + 4000);
    });

    it('does not modify the previous version object in place', () => {
      const before = engine.insertObject('bkt1', 'a', { ...data(), metadata: { k: '1' } });
      engine.patchObject('bkt1', 'a', { metadata: { k: '2' } });
      expect(before.metadata).toEqual({ k: '1' });
      expect(before.metageneration).toBe(1n);
    });

    it('answers 404 for a missing object', () => {
      expect(engineRefusal(() => engine.patchObject('bkt1', 'missing', { metadata: {} }))).toMatchObject({
        status: 404,
        reason: 'notFound',
      });
    });
  });

  describe('delete', () => {
    it('removes the object; a second delete answers 404', () => {
      engine.insertObject('bkt1', 'a', data());
      engine.deleteObject('bkt1', 'a');
      expect(engineRefusal(() => engine.getObject('bkt1', 'a')).status).toBe(404);
      expect(engineRefusal(() => engine.deleteObject('bkt1', 'a'))).toMatchObject({
        status: 404,
        reason: 'notFound',
      });
    });

    it('a create after a delete gets a higher generation than the deleted one', () => {
      const deleted = engine.insertObject('bkt1', 'a', data()).generation;
      engine.deleteObject('bkt1', 'a');
      engine.clockOffsetMs = -5000;
      expect(engine.insertObject('bkt1', 'a', data()).generation).toBeGreaterThan(deleted);
    });
  });

  describe('preconditions, as each operation applies them', () => {
    let live: EngineObject;
    beforeEach(() => {
      live = engine.insertObject('bkt1', 'a', data());
      live = engine.patchObject('bkt1', 'a', { metadata: { k: 'v' } }); // metageneration 2
    });
    const g = (): string => live.generation.toString();
    const other = (): string => (live.generation + 7n).toString();

    type Op = 'insert' | 'get' | 'patch' | 'delete';
    const run = (op: Op, name: string, preconditions: Preconditions): unknown => {
      switch (op) {
        case 'insert':
          return engine.insertObject('bkt1', name, data('new'), preconditions);
        case 'get':
          return engine.getObject('bkt1', name, preconditions);
        case 'patch':
          return engine.patchObject('bkt1', name, { metadata: { p: '1' } }, preconditions);
        case 'delete':
          return engine.deleteObject('bkt1', name, preconditions);
      }
    };
    const ops: Op[] = ['insert', 'get', 'patch', 'delete'];

    it.each(ops)('%s on the live object: each condition that holds lets it through', (op) => {
      const holding: Array<(gen: string) => Preconditions> = [
        (gen) => ({ ifGenerationMatch: gen }),
        (gen) => ({ ifGenerationNotMatch: `${gen}1` }),
        () => ({ ifMetagenerationMatch: '2' }),
        () => ({ ifMetagenerationNotMatch: '1' }),
        (gen) => ({ ifGenerationMatch: gen, ifMetagenerationMatch: '2', ifMetagenerationNotMatch: '3' }),
      ];
      for (const conditions of holding) {
        engine = new StorageEngine({ buckets: ['bkt1'] });
        engine.insertObject('bkt1', 'a', data());
        live = engine.patchObject('bkt1', 'a', { metadata: { k: 'v' } });
        const preconditions = conditions(g());
        expect(() => run(op, 'a', preconditions), JSON.stringify(preconditions)).not.toThrow();
        expect(engine.lastGeneration).toBe(op === 'insert' ? live.generation + 1n : live.generation);
      }
    });

    it.each(ops)(
      '%s on the live object: a failed *Match is 412, a failed *NotMatch 304, nothing changes',
      (op) => {
        const cases: Array<[Preconditions, number, string]> = [
          [{ ifGenerationMatch: other() }, 412, 'ifGenerationMatch'],
          [{ ifGenerationMatch: '0' }, 412, 'ifGenerationMatch'],
          [{ ifMetagenerationMatch: '1' }, 412, 'ifMetagenerationMatch'],
          [{ ifGenerationMatch: g(), ifMetagenerationMatch: '1' }, 412, 'ifMetagenerationMatch'],
          [{ ifGenerationNotMatch: g() }, 304, 'ifGenerationNotMatch'],
          [{ ifMetagenerationNotMatch: '2' }, 304, 'ifMetagenerationNotMatch'],
        ];
        for (const [preconditions, status, named] of cases) {
          const error = engineRefusal(() => run(op, 'a', preconditions));
          expect(error.status, JSON.stringify(preconditions)).toBe(status);
          expect(error.reason).toBe(status === 412 ? 'conditionNotMet' : 'notModified');
          expect(error.message).toContain(named);
          expect(engine.getObject('bkt1', 'a')).toBe(live);
        }
      },
    );

    it('insert with ifGenerationMatch=0 creates only when nothing is live', () => {
      expect(engine.insertObject('bkt1', 'fresh', data(), { ifGenerationMatch: '0' }).metageneration).toBe(
        1n,
      );
      const error = engineRefusal(() =>
        engine.insertObject('bkt1', 'fresh', data(), { ifGenerationMatch: '0' }),
      );
      expect(error).toMatchObject({ status: 412, reason: 'conditionNotMet' });
    });

    it('twenty ifGenerationMatch=0 creates in a row: exactly one succeeds', () => {
      let wins = 0;
      for (let i = 0; i < 20; i++) {
        try {
          engine.insertObject('bkt1', 'race', data(String(i)), { ifGenerationMatch: '0' });
          wins++;
        } catch (error) {
          expect((error as EngineError).status).toBe(412);
        }
      }
      expect(wins).toBe(1);
      expect(engine.getObject('bkt1', 'race').data.toString()).toBe('0');
    });

    it('insert on a missing object: a generation or metageneration Match fails, any generation NotMatch is 304', () => {
      expect(
        engineRefusal(() => engine.insertObject('bkt1', 'x', data(), { ifGenerationMatch: '5' })).status,
      ).toBe(412);
      expect(
        engineRefusal(() => engine.insertObject('bkt1', 'x', data(), { ifMetagenerationMatch: '1' })).status,
      ).toBe(412);
      expect(
        engineRefusal(() => engine.insertObject('bkt1', 'x', data(), { ifGenerationNotMatch: '0' })).status,
      ).toBe(304);
      // The JSON API reference: "If no live object exists, the precondition fails", whatever the value.
      expect(
        engineRefusal(() => engine.insertObject('bkt1', 'x', data(), { ifGenerationNotMatch: '5' })).status,
      ).toBe(304);
    });

    it('get, patch and delete of a missing object answer 404 whatever the conditions', () => {
      for (const op of ['get', 'patch', 'delete'] as const) {
        expect(engineRefusal(() => run(op, 'missing', { ifGenerationMatch: '0' })).status).toBe(404);
      }
    });

    it('an overwrite pinned to the live generation succeeds once; a stale pin then fails', () => {
      const stale = g();
      const next = engine.insertObject('bkt1', 'a', data('takeover'), { ifGenerationMatch: stale });
      expect(
        engineRefusal(() => engine.insertObject('bkt1', 'a', data(), { ifGenerationMatch: stale })).status,
      ).toBe(412);
      expect(engineRefusal(() => engine.deleteObject('bkt1', 'a', { ifGenerationMatch: stale })).status).toBe(
        412,
      );
      expect(engine.getObject('bkt1', 'a')).toBe(next);
    });

    it('metageneration alone matches a successor (the ABA GCS allows): only generation pins tell them apart', () => {
      const stale = g();
      engine.clockOffsetMs += 1000;
      engine.insertObject('bkt1', 'a', data('successor'));
      expect(() => engine.getObject('bkt1', 'a', { ifMetagenerationMatch: '1' })).not.toThrow();
      expect(
        engineRefusal(() =>
          engine.getObject('bkt1', 'a', { ifGenerationMatch: stale, ifMetagenerationMatch: '1' }),
        ).status,
      ).toBe(412);
    });

    it.each(['-1', '1.5', 'abc', '', ' 1', '1'.repeat(21)])(
      'rejects the malformed value %j with 400 naming it',
      (value) => {
        const error = engineRefusal(() => engine.getObject('bkt1', 'a', { ifMetagenerationNotMatch: value }));
        expect(error).toMatchObject({ status: 400, reason: 'invalid' });
        expect(error.message).toContain('ifMetagenerationNotMatch');
      },
    );
  });

  describe('rate limit', () => {
    it('answers 429 rateLimitExceeded once the burst is spent, and changes nothing', () => {
      engine.setRateLimit({ perSecond: 1, burst: 2 });
      const first = engine.insertObject('bkt1', 'a', data('1'));
      const second = engine.patchObject('bkt1', 'a', { metadata: { k: '1' } });
      const changes = [
        () => engine.insertObject('bkt1', 'a', data('2')),
        () => engine.patchObject('bkt1', 'a', { metadata: { k: '2' } }),
        () => engine.deleteObject('bkt1', 'a'),
      ];
      for (const change of changes) {
        const error = engineRefusal(change);
        expect(error).toMatchObject({ status: 429, reason: 'rateLimitExceeded' });
        expect(error.message).toMatch(/rate limit/);
        expect(engine.getObject('bkt1', 'a')).toBe(second);
      }
      expect(engine.lastGeneration).toBe(first.generation);
      // Reads are not mutations; other objects have their own budget.
      expect(() => engine.getObject('bkt1', 'a')).not.toThrow();
      expect(() => engine.insertObject('bkt1', 'other', data())).not.toThrow();
    });

    it('refills with the server clock', () => {
      engine.setRateLimit({ perSecond: 1, burst: 1 });
      engine.insertObject('bkt1', 'a', data());
      expect(engineRefusal(() => engine.patchObject('bkt1', 'a', {})).status).toBe(429);
      vi.setSystemTime(T0 + 1000);
      expect(engine.patchObject('bkt1', 'a', {}).metageneration).toBe(2n);
    });

    it('a refused precondition does not spend a token', () => {
      engine.setRateLimit({ perSecond: 1, burst: 1 });
      engine.insertObject('bkt1', 'a', data(), { ifGenerationMatch: '0' });
      expect(
        engineRefusal(() => engine.insertObject('bkt1', 'b', data(), { ifGenerationMatch: '9' })).status,
      ).toBe(412);
      expect(() => engine.insertObject('bkt1', 'b', data())).not.toThrow();
    });

    it('is off by default, starts with a full burst when set, and can be switched off again', () => {
      engine.insertObject('bkt1', 'a', data());
      for (let i = 0; i < 50; i++) engine.patchObject('bkt1', 'a', {});
      engine.setRateLimit({ perSecond: 1, burst: 1 });
      expect(engine.patchObject('bkt1', 'a', {}).metageneration).toBe(52n);
      expect(engineRefusal(() => engine.patchObject('bkt1', 'a', {})).status).toBe(429);
      engine.setRateLimit(false);
      expect(engine.patchObject('bkt1', 'a', {}).metageneration).toBe(53n);
    });

    it('takes its setting from the constructor', () => {
      const limited = new StorageEngine({ buckets: ['bkt1'], rateLimit: { perSecond: 1, burst: 1 } });
      limited.insertObject('bkt1', 'a', data());
      expect(engineRefusal(() => limited.deleteObject('bkt1', 'a')).status).toBe(429);
    });
  });

  describe('clock', () => {
    it('now() is the host clock plus the offset, and stamps objects and buckets', () => {
      const skewed = new StorageEngine({ clockOffsetMs: 90_000 });
      expect(skewed.now()).toBe(T0 + 90_000);
      expect(skewed.createBucket('bkt2').timeCreated).toBe(T0 + 90_000);
      const object = skewed.insertObject('bkt2', 'a', data());
      expect(object.updated).toBe(T0 + 90_000);
      expect(object.generation).toBe(BigInt(T0 + 90_000) * 1000n);
      skewed.clockOffsetMs = -1000;
      expect(skewed.now()).toBe(T0 - 1000);
    });
  });

  describe('onChange', () => {
    it('reports each committed change, in order, and nothing for refusals or reads', () => {
      const changes: EngineChange[] = [];
      const watched = new StorageEngine({ buckets: ['bkt1'], onChange: (change) => changes.push(change) });
      expect(changes).toEqual([{ kind: 'bucket', bucket: watched.getBucket('bkt1') }]);
      const inserted = watched.insertObject('bkt1', 'a', data());
      const patched = watched.patchObject('bkt1', 'a', { metadata: { k: 'v' } });
      watched.getObject('bkt1', 'a');
      watched.listObjects('bkt1');
      engineRefusal(() => watched.insertObject('bkt1', 'a', data(), { ifGenerationMatch: '0' }));
      engineRefusal(() => watched.createBucket('bkt1'));
      watched.deleteObject('bkt1', 'a');
      expect(changes.slice(1)).toEqual([
        { kind: 'put', object: inserted },
        { kind: 'put', object: patched },
        { kind: 'delete', bucket: 'bkt1', name: 'a' },
      ]);
    });
  });

  describe('restoreObject', () => {
    const restored = (generation: bigint, bucket = 'bkt1', name = 'r'): EngineObject => ({
      bucket,
      name,
      generation,
      metageneration: 4n,
      data: Buffer.from('kept'),
      contentType: 'text/plain',
      metadata: { k: 'v' },
      timeCreated: T0 - 1000,
      updated: T0 - 500,
      md5Hash: 'm',
      crc32c: 'c',
    });

    it('puts the object back exactly, generation and metageneration included', () => {
      const object = restored(123n);
      engine.restoreObject(object);
      expect(engine.getObject('bkt1', 'r')).toEqual(object);
      expect(engine.patchObject('bkt1', 'r', {}).metageneration).toBe(5n);
    });

    it('creates the bucket when it is missing', () => {
      engine.restoreObject(restored(1n, 'bkt9'));
      expect(engine.getObject('bkt9', 'r').generation).toBe(1n);
    });

    it('keeps generations increasing after a restored one from the future', () => {
      const future = BigInt(T0 + 3_600_000) * 1000n;
      engine.restoreObject(restored(future));
      expect(engine.lastGeneration).toBe(future);
      expect(engine.insertObject('bkt1', 'new', data()).generation).toBe(future + 1n);
      expect(engine.insertObject('bkt1', 'r', data()).generation).toBe(future + 2n);
    });

    it('an older restored generation does not pull lastGeneration back', () => {
      const current = engine.insertObject('bkt1', 'a', data()).generation;
      engine.restoreObject(restored(5n));
      expect(engine.lastGeneration).toBe(current);
      expect(engine.insertObject('bkt1', 'b', data()).generation).toBe(current + 1n);
    });
  });

  it('listObjects lists a bucket (details in list.test.ts)', () => {
    engine.insertObject('bkt1', 'b', data());
    engine.insertObject('bkt1', 'a', data());
    expect(engine.listObjects('bkt1').items.map((o) => o.name)).toEqual(['a', 'b']);
    expect(engine.listObjects('bkt1', { prefix: 'b' }).items.map((o) => o.name)).toEqual(['b']);
  });
});
