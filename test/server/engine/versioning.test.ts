import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StorageEngine, type EngineChange } from '../../../src/server/engine/engine.js';
import { engineRefusal } from '../../helpers/refusals.js';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const data = (text: string): { data: Buffer } => ({ data: Buffer.from(text) });

describe('Object Versioning', () => {
  let engine: StorageEngine;
  let changes: EngineChange[];

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    changes = [];
    engine = new StorageEngine({
      buckets: ['plain', { name: 'versioned', versioning: true }],
      onChange: (change) => changes.push(change),
    });
  });
  afterEach(() => vi.useRealTimers());

  it('an overwrite keeps the old live version as noncurrent, with timeDeleted', () => {
    const first = engine.insertObject('versioned', 'a', data('one'));
    vi.setSystemTime(T0 + 1000);
    const second = engine.insertObject('versioned', 'a', data('two'));
    const [kept] = engine.getBucket('versioned').noncurrent.get('a') ?? [];
    expect(kept).toMatchObject({ generation: first.generation, timeDeleted: T0 + 1000 });
    expect(kept!.data.toString()).toBe('one');
    expect(engine.getObject('versioned', 'a').generation).toBe(second.generation);
    expect(engine.getObject('versioned', 'a', {}, first.generation).data.toString()).toBe('one');
  });

  it('a delete keeps a noncurrent version; ifGenerationMatch=0 then creates again', () => {
    const first = engine.insertObject('versioned', 'a', data('one'));
    engine.deleteObject('versioned', 'a');
    expect(engine.getBucket('versioned').objects.has('a')).toBe(false);
    expect(engine.getObject('versioned', 'a', {}, first.generation).timeDeleted).toBe(T0);
    expect(engineRefusal(() => engine.getObject('versioned', 'a')).status).toBe(404);
    // "No live version" is what ifGenerationMatch=0 asks, noncurrent versions or not.
    const again = engine.insertObject('versioned', 'a', data('two'), { ifGenerationMatch: '0' });
    expect(again.generation).not.toBe(first.generation);
  });

  it('without versioning an overwrite or delete keeps nothing, and an old generation is a 404', () => {
    const first = engine.insertObject('plain', 'a', data('one'));
    engine.insertObject('plain', 'a', data('two'));
    engine.deleteObject('plain', 'a');
    expect(engine.getBucket('plain').noncurrent.size).toBe(0);
    expect(engineRefusal(() => engine.getObject('plain', 'a', {}, first.generation)).status).toBe(404);
  });

  it('a delete naming a noncurrent generation removes that version for good, and only it', () => {
    const first = engine.insertObject('versioned', 'a', data('one'));
    const second = engine.insertObject('versioned', 'a', data('two'));
    engine.deleteObject('versioned', 'a', {}, first.generation);
    expect(engine.getBucket('versioned').noncurrent.has('a')).toBe(false);
    expect(engine.getObject('versioned', 'a').generation).toBe(second.generation);
    expect(changes.at(-1)).toEqual({
      kind: 'delete-version',
      bucket: 'versioned',
      name: 'a',
      generation: first.generation,
    });
  });

  it('a delete naming the live generation removes it for good (no noncurrent version)', () => {
    const live = engine.insertObject('versioned', 'a', data('one'));
    engine.deleteObject('versioned', 'a', {}, live.generation.toString());
    expect(engine.getBucket('versioned').objects.has('a')).toBe(false);
    expect(engine.getBucket('versioned').noncurrent.has('a')).toBe(false);
  });

  it('preconditions on a named version are judged against that version', () => {
    const first = engine.insertObject('versioned', 'a', data('one'));
    engine.insertObject('versioned', 'a', data('two'));
    const pinned = { ifGenerationMatch: first.generation.toString() };
    expect(engine.getObject('versioned', 'a', pinned, first.generation).generation).toBe(first.generation);
    expect(engineRefusal(() => engine.getObject('versioned', 'a', pinned)).status).toBe(412);
    expect(
      engineRefusal(() =>
        engine.deleteObject('versioned', 'a', { ifMetagenerationMatch: '2' }, first.generation),
      ).status,
    ).toBe(412);
  });

  it('a noncurrent version can be patched without touching the live one', () => {
    const first = engine.insertObject('versioned', 'a', data('one'));
    const live = engine.insertObject('versioned', 'a', data('two'));
    const patched = engine.patchObject('versioned', 'a', { metadata: { k: 'v' } }, {}, first.generation);
    expect(patched).toMatchObject({ metageneration: 2n, metadata: { k: 'v' }, timeDeleted: T0 });
    expect(engine.getObject('versioned', 'a')).toEqual(live);
    expect(changes.at(-1)).toEqual({ kind: 'noncurrent', object: patched });
  });

  it('reports a noncurrent change before the put that caused it', () => {
    const first = engine.insertObject('versioned', 'a', data('one'));
    changes.length = 0;
    const second = engine.insertObject('versioned', 'a', data('two'));
    expect(changes.map((c) => c.kind)).toEqual(['noncurrent', 'put']);
    expect(changes[0]).toMatchObject({ object: { generation: first.generation, timeDeleted: T0 } });
    expect(changes[1]).toEqual({ kind: 'put', object: second });
  });

  it('lists noncurrent versions only with versions: true, each name by generation, paged', () => {
    const a1 = engine.insertObject('versioned', 'a', data('1'));
    const b1 = engine.insertObject('versioned', 'b', data('1'));
    const a2 = engine.insertObject('versioned', 'a', data('2'));
    engine.deleteObject('versioned', 'b');
    const names = (items: Array<{ name: string; generation: bigint }>): string[] =>
      items.map((o) => `${o.name}#${o.generation}`);
    expect(names(engine.listObjects('versioned').items)).toEqual([`a#${a2.generation}`]);
    const all = engine.listObjects('versioned', { versions: true }).items;
    expect(names(all)).toEqual([`a#${a1.generation}`, `a#${a2.generation}`, `b#${b1.generation}`]);
    const seen: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = engine.listObjects('versioned', {
        versions: true,
        maxResults: 1,
        ...(pageToken && { pageToken }),
      });
      seen.push(...names(page.items));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual(names(all)); // a page may end between two versions of one name
  });

  it('reset clears noncurrent versions too; buckets and their settings stay', () => {
    engine.insertObject('versioned', 'a', data('1'));
    engine.insertObject('versioned', 'a', data('2'));
    engine.clearObjects();
    expect(engine.listObjects('versioned', { versions: true }).items).toEqual([]);
    expect(engine.getBucket('versioned').settings.versioning).toBe(true);
  });
});
