import { describe, expect, it } from 'vitest';
import type { EngineObject } from '../../../src/server/engine/engine.js';
import { listObjects, type ListOptions } from '../../../src/server/engine/list.js';
import { engineRefusal } from '../../helpers/refusals.js';

function store(names: readonly string[]): Map<string, EngineObject> {
  const objects = new Map<string, EngineObject>();
  names.forEach((name, i) => {
    objects.set(name, {
      bucket: 'bkt',
      name,
      generation: BigInt(i + 1),
      metageneration: 1n,
      data: Buffer.alloc(0),
      contentType: 'text/plain',
      metadata: {},
      timeCreated: 0,
      updated: 0,
      md5Hash: '',
      crc32c: '',
    });
  });
  return objects;
}

const names = (objects: Map<string, EngineObject>, options: ListOptions = {}): string[] =>
  listObjects(objects, options).items.map((o) => o.name);

/** Every page, following nextPageToken; fails if paging does not end. */
function allPages(
  objects: Map<string, EngineObject>,
  options: ListOptions,
): { pages: number; items: string[]; prefixes: string[] } {
  const items: string[] = [];
  const prefixes: string[] = [];
  let pageToken: string | undefined;
  let pages = 0;
  do {
    const page = listObjects(objects, { ...options, ...(pageToken !== undefined && { pageToken }) });
    pages++;
    expect(page.items.length + page.prefixes.length).toBeLessThanOrEqual(options.maxResults ?? 1000);
    items.push(...page.items.map((o) => o.name));
    prefixes.push(...page.prefixes);
    pageToken = page.nextPageToken;
    if (pages > 1000) throw new Error('paging does not end');
  } while (pageToken !== undefined);
  return { pages, items, prefixes };
}

describe('listObjects', () => {
  it('lists every object, sorted, with no page token when all fit', () => {
    const result = listObjects(store(['c', 'a', 'b']));
    expect(result.items.map((o) => o.name)).toEqual(['a', 'b', 'c']);
    expect(result.prefixes).toEqual([]);
    expect(result.nextPageToken).toBeUndefined();
  });

  it('returns the stored objects themselves', () => {
    const objects = store(['a']);
    expect(listObjects(objects).items[0]).toBe(objects.get('a'));
  });

  it('an empty bucket gives an empty page', () => {
    expect(listObjects(new Map())).toEqual({ items: [], prefixes: [], nextPageToken: undefined });
  });

  it('filters by prefix, literally (no glob, no regex)', () => {
    const objects = store(['locks/a', 'locks/b/c', 'lockss', 'other/locks/x', 'l.cks/z', 'locks']);
    expect(names(objects, { prefix: 'locks/' })).toEqual(['locks/a', 'locks/b/c']);
    expect(names(objects, { prefix: 'locks' })).toEqual(['locks', 'locks/a', 'locks/b/c', 'lockss']);
    expect(names(objects, { prefix: 'l.' })).toEqual(['l.cks/z']);
    expect(names(objects, { prefix: 'nothing' })).toEqual([]);
    expect(names(objects, { prefix: '' })).toHaveLength(6);
  });

  it('sorts by UTF-8 bytes, not by UTF-16 code units', () => {
    // U+FF5E is one UTF-16 unit (0xFF5E) but sorts before U+1F600 (0xD83D...) in UTF-8 bytes.
    const wide = '\u{ff5e}';
    const emoji = '\u{1f600}';
    const objects = store([emoji, wide, 'Z', 'a', 'é', 'a/b', 'a-b']);
    expect([emoji, wide].sort()).toEqual([emoji, wide]); // JavaScript's own order differs
    expect(names(objects)).toEqual(['Z', 'a', 'a-b', 'a/b', 'é', wide, emoji]);
  });

  describe('delimiter', () => {
    const objects = store(['a/1', 'a/2', 'a/b/3', 'b', 'c/4', 'c/5', 'd']);

    it('collapses names under the delimiter into prefixes, each once', () => {
      const result = listObjects(objects, { delimiter: '/' });
      expect(result.items.map((o) => o.name)).toEqual(['b', 'd']);
      expect(result.prefixes).toEqual(['a/', 'c/']);
    });

    it('collapses after the prefix, not before it', () => {
      const result = listObjects(objects, { prefix: 'a/', delimiter: '/' });
      expect(result.items.map((o) => o.name)).toEqual(['a/1', 'a/2']);
      expect(result.prefixes).toEqual(['a/b/']);
    });

    it('works with a delimiter longer than one character', () => {
      const result = listObjects(store(['x--y', 'x--z', 'x-y', 'w']), { delimiter: '--' });
      expect(result.items.map((o) => o.name)).toEqual(['w', 'x-y']);
      expect(result.prefixes).toEqual(['x--']);
    });

    it('an empty delimiter collapses nothing', () => {
      expect(listObjects(objects, { delimiter: '' }).prefixes).toEqual([]);
    });
  });

  describe('paging', () => {
    const many = Array.from({ length: 23 }, (_, i) => `obj-${String(i).padStart(2, '0')}`);

    it.each([1, 2, 3, 5, 22, 23, 24])(
      'maxResults %i covers every entry exactly once, in order',
      (maxResults) => {
        const { pages, items } = allPages(store([...many].reverse()), { maxResults });
        expect(items).toEqual(many);
        expect(pages).toBe(Math.max(1, Math.ceil(many.length / maxResults)));
      },
    );

    it('a full last page has no next token', () => {
      const page = listObjects(store(['a', 'b']), { maxResults: 2 });
      expect(page.items).toHaveLength(2);
      expect(page.nextPageToken).toBeUndefined();
    });

    it('with a delimiter, each prefix appears once across all pages', () => {
      const objects = store([
        'a/1',
        'a/2',
        'a/3',
        'b',
        'c/1',
        'c/2',
        'c/d/1',
        'd',
        'e/1',
        'f',
        'g/',
        'g/x',
        'h',
        '\u{10ffff}/x',
        'é/1',
        'é/2',
        'é',
      ]);
      for (const maxResults of [1, 2, 3, 4, 100]) {
        const { items, prefixes } = allPages(objects, { delimiter: '/', maxResults });
        expect(items, `maxResults ${maxResults}`).toEqual(['b', 'd', 'f', 'h', 'é']);
        expect(prefixes, `maxResults ${maxResults}`).toEqual(['a/', 'c/', 'e/', 'g/', 'é/', '\u{10ffff}/']);
      }
    });

    it('with a prefix and UTF-8 names, pages cover every name once', () => {
      const objects = store(['p/\u{1f600}', 'p/\u{ff5e}', 'p/é', 'p/z', 'q/a', 'p/A', 'o']);
      const { items } = allPages(objects, { prefix: 'p/', maxResults: 1 });
      expect(items).toEqual(['p/A', 'p/z', 'p/é', 'p/\u{ff5e}', 'p/\u{1f600}']);
    });

    it('a page token resumes after the last entry even if that entry was deleted meanwhile', () => {
      const objects = store(['a', 'b', 'c', 'd']);
      const first = listObjects(objects, { maxResults: 2 });
      objects.delete('b');
      objects.set('bb', { ...objects.get('a')!, name: 'bb' });
      expect(names(objects, { pageToken: first.nextPageToken! })).toEqual(['bb', 'c', 'd']);
    });

    it('caps maxResults at 1000', () => {
      const objects = store(Array.from({ length: 1001 }, (_, i) => `o${String(i).padStart(4, '0')}`));
      const page = listObjects(objects, { maxResults: 5000 });
      expect(page.items).toHaveLength(1000);
      expect(page.nextPageToken).toBeDefined();
      expect(listObjects(objects).items).toHaveLength(1000);
    });
  });

  describe('startOffset and endOffset', () => {
    it('keep names from startOffset (inclusive) to endOffset (exclusive)', () => {
      const objects = store(['a', 'b', 'c', 'd']);
      expect(names(objects, { startOffset: 'b' })).toEqual(['b', 'c', 'd']);
      expect(names(objects, { endOffset: 'c' })).toEqual(['a', 'b']);
      expect(names(objects, { startOffset: 'b', endOffset: 'd' })).toEqual(['b', 'c']);
    });

    it('compare offsets in UTF-8 byte order, as names are sorted', () => {
      // U+FF5E sorts before U+1F600 in UTF-8 bytes, but after it in UTF-16 code units.
      const objects = store(['\uff5e', '\u{1f600}']);
      expect(names(objects, { startOffset: '\u{1f600}' })).toEqual(['\u{1f600}']);
      expect(names(objects, { endOffset: '\u{1f600}' })).toEqual(['\uff5e']);
    });
  });

  it('lists a collapsed prefix once even when a name under it sorts after every marker', () => {
    const { prefixes, items } = allPages(store(['a/1', 'a/\u{10ffff}x', 'b']), {
      delimiter: '/',
      maxResults: 1,
    });
    expect(prefixes).toEqual(['a/']);
    expect(items).toEqual(['b']);
  });

  describe('invalid input answers 400', () => {
    it.each([0, -1, 1.5, Number.NaN])('maxResults %s', (maxResults) => {
      const error = engineRefusal(() => listObjects(store(['a']), { maxResults }));
      expect(error).toMatchObject({
        status: 400,
        reason: 'invalid',
        message: 'Invalid value for maxResults.',
      });
    });

    it.each(['', '!!!', 'YQ==', '_w'])('pageToken %j', (pageToken) => {
      const error = engineRefusal(() => listObjects(store(['a']), { pageToken }));
      expect(error).toMatchObject({ status: 400, reason: 'invalid', message: 'Invalid pageToken.' });
    });

    it('accepts a token it issued', () => {
      const { nextPageToken } = listObjects(store(['a', 'b']), { maxResults: 1 });
      expect(nextPageToken).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(names(store(['a', 'b']), { pageToken: nextPageToken! })).toEqual(['b']);
    });
  });
});
