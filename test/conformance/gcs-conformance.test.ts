/**
 * GCS conformance: the semantics gcs-lock relies on, checked over raw HTTP against any endpoint.
 *
 * By default it starts a local server. To run it against real GCS (or another emulator):
 *   GCS_CONFORMANCE_ENDPOINT=https://storage.googleapis.com GCS_CONFORMANCE_BUCKET=my-scratch-bucket \
 *   GCS_CONFORMANCE_TOKEN="$(gcloud auth print-access-token)" npx vitest run test/conformance
 * Use a scratch bucket with versioning off. Every object lives under a unique prefix per run and is
 * deleted afterwards. Nothing here depends on this server's generation format, extra fields or
 * control endpoint.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { crc32cBase64 } from '../../src/server/engine/crc32c.js';
import {
  HTTP_DATE,
  REMOTE,
  RFC3339_MS,
  bucket,
  call,
  created,
  insert,
  name,
  objectPath,
  patch,
  pause,
  qs,
  useTarget,
  type Json,
} from './target.js';

/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return --
   answers are GCS's loosely typed JSON, checked by the assertions themselves */

useTarget();

describe('objects: shape and data', () => {
  it('insert answers the object resource in GCS JSON shape', async () => {
    const object = name('shape');
    const answer = await insert(object, { metadata: { owner: 'me' }, data: 'hello' });
    expect(answer.status).toBe(200);
    const o = answer.body;
    expect(o).toMatchObject({ kind: 'storage#object', name: object, bucket, metageneration: '1', size: '5' });
    expect(o.metadata).toEqual({ owner: 'me' });
    expect(o.generation).toMatch(/^[1-9]\d*$/);
    expect(o.contentType).toBe('text/plain');
    expect(o.timeCreated).toMatch(RFC3339_MS);
    expect(o.updated).toMatch(RFC3339_MS);
    expect(o.md5Hash).toBe(createHash('md5').update('hello').digest('base64'));
    expect(o.crc32c).toBe(crc32cBase64(Buffer.from('hello')));
    expect(typeof o.etag).toBe('string');
    expect(answer.headers.get('date')).toMatch(HTTP_DATE);
  });

  it('uploadType=media stores the body; alt=media and the download path return it', async () => {
    const object = name('media');
    const up = await call(
      'POST',
      `/upload/storage/v1/b/${bucket}/o?${qs({ uploadType: 'media', name: object })}`,
      {
        body: 'raw bytes',
        type: 'text/plain',
      },
    );
    expect(up.status).toBe(200);
    expect((await call('GET', objectPath(object, 'alt=media'))).text).toBe('raw bytes');
    const download = await call(
      'GET',
      `/download/storage/v1/b/${bucket}/o/${encodeURIComponent(object)}?alt=media`,
    );
    expect(download.status).toBe(200);
    expect(download.text).toBe('raw bytes');
  });

  it('names with "/" and UTF-8 round-trip percent-encoded, and list under their prefix', async () => {
    const object = name('dir/sub/ünï cødé ☃ #?%+&.txt');
    await created(object);
    const got = await call('GET', objectPath(object));
    expect(got.status).toBe(200);
    expect(got.body.name).toBe(object);
    const listed = await call('GET', `/storage/v1/b/${bucket}/o?${qs({ prefix: name('dir/sub/') })}`);
    expect((listed.body.items as Json[]).map((item) => item.name)).toEqual([object]);
  });

  it.each([
    ['a line feed', 'bad\nname'],
    ['a carriage return', 'bad\rname'],
    ['"."', '.'],
    ['over 1024 bytes', 'é'.repeat(513)],
    ['the ACME challenge prefix', '.well-known/acme-challenge/x'],
  ])('rejects an object name with %s: 400', async (_what, bad) => {
    const answer = await insert(bad);
    expect(answer.status).toBe(400);
  });

  it('rejects custom metadata over 8 KiB with 400, on insert and on patch', async () => {
    const big = { a: 'x'.repeat(3000), b: 'y'.repeat(3000), c: 'z'.repeat(3000) };
    expect((await insert(name('big'), { metadata: big })).status).toBe(400);
    const object = name('big-patch');
    await created(object);
    expect((await patch(object, big)).status).toBe(400);
    expect((await call('GET', objectPath(object))).body.metageneration).toBe('1');
  });
});

describe('generations and metagenerations', () => {
  it('each write gets a new generation, metageneration 1', async () => {
    const object = name('generations');
    const first = await created(object);
    const second = await created(object);
    const other = await created(name('generations-other'));
    expect(new Set([first.generation, second.generation, other.generation]).size).toBe(3);
    expect(second.metageneration).toBe('1');
  });

  it('a patch bumps metageneration by one, moves `updated`, merges metadata and deletes null keys', async () => {
    const object = name('patch');
    const before = await created(object, { keep: '1', drop: '2' });
    await pause(20);
    const answer = await patch(object, { drop: null, added: '3' });
    expect(answer.status).toBe(200);
    expect(answer.body.metageneration).toBe('2');
    expect(answer.body.generation).toBe(before.generation);
    expect(answer.body.metadata).toEqual({ keep: '1', added: '3' });
    expect(Date.parse(answer.body.updated as string)).toBeGreaterThan(Date.parse(before.updated as string));
    expect(answer.body.timeCreated).toBe(before.timeCreated);
    expect((await patch(object, {})).body.metageneration).toBe('3');
  });
});

type Op = 'insert' | 'get' | 'patch' | 'delete';
type Condition =
  'ifGenerationMatch' | 'ifGenerationNotMatch' | 'ifMetagenerationMatch' | 'ifMetagenerationNotMatch';
const OPS: Op[] = ['insert', 'get', 'patch', 'delete'];
const CONDITIONS: Condition[] = [
  'ifGenerationMatch',
  'ifGenerationNotMatch',
  'ifMetagenerationMatch',
  'ifMetagenerationNotMatch',
];
const MATRIX = OPS.flatMap((op) =>
  CONDITIONS.flatMap((condition) =>
    (['current', 'other'] as const).map((value) => {
      const holds = condition.includes('NotMatch') ? value === 'other' : value === 'current';
      const status = holds ? (op === 'delete' ? 204 : 200) : condition.includes('NotMatch') ? 304 : 412;
      return { op, condition, value, status };
    }),
  ),
);

describe('preconditions', () => {
  it.each(MATRIX)('$op with $condition=$value answers $status', async ({ op, condition, value, status }) => {
    const object = name(`matrix/${op}-${condition}-${value}`);
    const live = await created(object);
    const field = condition.includes('Metageneration') ? 'metageneration' : 'generation';
    const query = {
      [condition]: value === 'current' ? (live[field] as string) : `${live[field] as string}1`,
    };
    const answer =
      op === 'insert'
        ? await insert(object, { query })
        : op === 'get'
          ? await call('GET', objectPath(object, qs(query)))
          : op === 'patch'
            ? await patch(object, { touched: 'yes' }, query)
            : await call('DELETE', objectPath(object, qs(query)));
    expect(answer.status).toBe(status);
    expect(answer.headers.get('date')).toMatch(HTTP_DATE);
    if (status === 412) {
      expect(answer.body.error.code).toBe(412);
      expect(answer.body.error.errors[0].reason).toBe('conditionNotMet');
    }
    if (status === 412 || status === 304) {
      const after = await call('GET', objectPath(object));
      expect(after.status).toBe(200);
      expect([after.body.generation, after.body.metageneration]).toEqual([
        live.generation,
        live.metageneration,
      ]);
    }
  });

  it('ifGenerationMatch=0 creates only when absent', async () => {
    const object = name('create-if-absent');
    expect((await insert(object, { query: { ifGenerationMatch: '0' } })).status).toBe(200);
    expect((await insert(object, { query: { ifGenerationMatch: '0' } })).status).toBe(412);
  });

  it('20 concurrent ifGenerationMatch=0 creates: exactly one 200', async () => {
    const object = name('race');
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        insert(object, { metadata: { i: String(i) }, query: { ifGenerationMatch: '0' } }),
      ),
    );
    const winners = answers.filter((answer) => answer.status === 200);
    expect(winners).toHaveLength(1);
    // Real GCS may also shed some of the losers with a retryable 429/503; none of them may succeed.
    const allowed = REMOTE ? [412, 429, 503] : [412];
    for (const answer of answers.filter((a) => a.status !== 200)) expect(allowed).toContain(answer.status);
    const live = await call('GET', objectPath(object));
    expect(live.body.generation).toBe(winners[0]!.body.generation);
    expect(live.body.metadata).toEqual(winners[0]!.body.metadata);
  });
});

describe('listing', () => {
  it('pages with prefix, delimiter and maxResults', async () => {
    const prefix = name('list/');
    const names = ['a', 'b', 'c', 'd/1', 'd/2', 'e/1'].map((n) => prefix + n);
    for (const n of names) await created(n);
    const items: string[] = [];
    const prefixes: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const query = { prefix, delimiter: '/', maxResults: '2', ...(pageToken ? { pageToken } : {}) };
      const page = await call('GET', `/storage/v1/b/${bucket}/o?${qs(query)}`);
      expect(page.status).toBe(200);
      const pageItems = ((page.body.items ?? []) as Json[]).map((item) => item.name as string);
      const pagePrefixes = (page.body.prefixes ?? []) as string[];
      expect(pageItems.length + pagePrefixes.length).toBeLessThanOrEqual(2);
      items.push(...pageItems);
      prefixes.push(...pagePrefixes);
      pageToken = page.body.nextPageToken as string | undefined;
      pages += 1;
    } while (pageToken && pages < 10);
    expect(items).toEqual(names.slice(0, 3));
    expect([...new Set(prefixes)]).toEqual([`${prefix}d/`, `${prefix}e/`]);
    expect(pages).toBeGreaterThanOrEqual(3);
    const flat = await call('GET', `/storage/v1/b/${bucket}/o?${qs({ prefix })}`);
    expect((flat.body.items as Json[]).map((item) => item.name)).toEqual(names);
    expect(flat.body.nextPageToken).toBeUndefined();
  });
});

describe('errors', () => {
  it('a missing object is 404 notFound in GCS error shape, for get, patch and delete', async () => {
    const object = name('missing');
    for (const answer of [
      await call('GET', objectPath(object)),
      await patch(object, { a: 'b' }),
      await call('DELETE', objectPath(object)),
    ]) {
      expect(answer.status).toBe(404);
      expect(answer.headers.get('date')).toMatch(HTTP_DATE);
      expect(answer.body.error.code).toBe(404);
      expect(typeof answer.body.error.message).toBe('string');
      expect(answer.body.error.errors[0].reason).toBe('notFound');
    }
  });

  it('a missing bucket is 404 for insert, get and list', async () => {
    const missing = `gcs-lock-missing-${randomBytes(12).toString('hex')}`;
    expect((await insert(name('x'), { bucketName: missing })).status).toBe(404);
    expect((await call('GET', `/storage/v1/b/${missing}/o/${encodeURIComponent(name('x'))}`)).status).toBe(
      404,
    );
    expect((await call('GET', `/storage/v1/b/${missing}/o`)).status).toBe(404);
    expect((await call('GET', `/storage/v1/b/${missing}`)).status).toBe(404);
  });
});
