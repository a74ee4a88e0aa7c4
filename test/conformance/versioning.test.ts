/**
 * GCS conformance for Object Versioning, over raw HTTP. Locally a versioned bucket is made for it; to
 * run it against real GCS, also set GCS_CONFORMANCE_VERSIONED_BUCKET to a scratch bucket with
 * versioning on (without it these tests are skipped there).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { REMOTE, call, created, insert, name, objectPath, qs, useTarget, type Json } from './target.js';

/* eslint-disable @typescript-eslint/no-unsafe-return --
   answers are GCS's loosely typed JSON, checked by the assertions themselves */

const VERSIONED = REMOTE ? process.env.GCS_CONFORMANCE_VERSIONED_BUCKET : 'conformance-versioned';
useTarget(VERSIONED && !REMOTE ? [{ name: VERSIONED, versioning: true }] : []);

const path = (object: string, query: Record<string, string> = {}): string =>
  `/storage/v1/b/${VERSIONED}/o/${encodeURIComponent(object)}${Object.keys(query).length ? `?${qs(query)}` : ''}`;
const listVersions = async (prefix: string): Promise<Json[]> =>
  ((await call('GET', `/storage/v1/b/${VERSIONED}/o?${qs({ prefix, versions: 'true' })}`)).body.items ??
    []) as Json[];

afterAll(async () => {
  if (!VERSIONED) return;
  for (const item of await listVersions(name('')))
    await call('DELETE', path(item.name as string, { generation: item.generation as string }));
});

describe.skipIf(!VERSIONED)('object versioning', () => {
  const put = async (object: string, data: string): Promise<Json> => {
    const answer = await insert(object, { data, bucketName: VERSIONED! });
    expect(answer.status).toBe(200);
    return answer.body;
  };

  it('an overwrite keeps the old version as noncurrent: listed with versions=true, readable by generation', async () => {
    const object = name('versions/overwrite');
    const first = await put(object, 'one');
    const second = await put(object, 'two');
    const plain = (await call('GET', `/storage/v1/b/${VERSIONED}/o?${qs({ prefix: object })}`)).body
      .items as Json[];
    expect(plain.map((o) => o.generation)).toEqual([second.generation]);
    const versions = await listVersions(object);
    expect(versions.map((o) => o.generation).sort()).toEqual([first.generation, second.generation].sort());
    expect(versions.find((o) => o.generation === first.generation)?.timeDeleted).toMatch(/^\d{4}-/);
    const old = await call('GET', path(object, { generation: first.generation as string }));
    expect(old.status).toBe(200);
    expect(old.body.generation).toBe(first.generation);
    const media = await call('GET', path(object, { generation: first.generation as string, alt: 'media' }));
    expect(media.text).toBe('one');
  });

  it('a delete keeps a noncurrent version; ifGenerationMatch=0 then creates anew', async () => {
    const object = name('versions/deleted');
    const first = await put(object, 'one');
    expect((await call('DELETE', path(object))).status).toBe(204);
    expect((await call('GET', path(object))).status).toBe(404);
    expect((await call('GET', path(object, { generation: first.generation as string }))).status).toBe(200);
    const again = await insert(object, { bucketName: VERSIONED!, query: { ifGenerationMatch: '0' } });
    expect(again.status).toBe(200);
  });

  it('a delete naming a noncurrent generation removes that version only', async () => {
    const object = name('versions/pruned');
    const first = await put(object, 'one');
    const second = await put(object, 'two');
    expect((await call('DELETE', path(object, { generation: first.generation as string }))).status).toBe(204);
    expect((await call('GET', path(object, { generation: first.generation as string }))).status).toBe(404);
    expect((await call('GET', path(object))).body.generation).toBe(second.generation);
  });
});

describe('without versioning', () => {
  it('an old generation is gone: a 404 by generation', async () => {
    const object = name('unversioned/gone');
    const first = await created(object);
    await created(object);
    const old = await call('GET', objectPath(object, qs({ generation: first.generation as string })));
    expect(old.status).toBe(404);
  });
});
