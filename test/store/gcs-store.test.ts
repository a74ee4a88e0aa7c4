import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors/configuration-error.js';
import { GcsStore } from '../../src/store/gcs-store.js';
import { DATE_MS, json, resource, useStub } from './stub-server.js';
import { storageRefusal } from '../helpers/refusals.js';

const current = useStub();

const store = () => new GcsStore({ endpoint: current().url, requestTimeout: 5_000 });

describe('GcsStore requests (one per call, the JSON API exactly)', () => {
  it('insert: one multipart POST carrying name, preconditions, metadata and body', async () => {
    current().setHandler((_, res) => json(res, 200, resource('locks/a b')));
    const result = await store().insert('my-bucket', 'locks/a b', {
      metadata: { owner: 'abc' },
      body: '{"x":1}',
      preconditions: { ifGenerationMatch: '0' },
    });
    expect(current().requests).toHaveLength(1);
    const [seen] = current().requests;
    expect(seen!.method).toBe('POST');
    const url = new URL(seen!.url, current().url);
    expect(url.pathname).toBe('/upload/storage/v1/b/my-bucket/o');
    expect(url.searchParams.get('uploadType')).toBe('multipart');
    expect(url.searchParams.get('name')).toBe('locks/a b');
    expect(seen!.url).toContain('name=locks%2Fa%20b');
    expect(url.searchParams.get('ifGenerationMatch')).toBe('0');
    const boundary = /boundary=(\S+)/.exec(seen!.headers['content-type'] ?? '')?.[1];
    expect(seen!.headers['content-type']).toMatch(/^multipart\/related; boundary=/);
    const parts = seen!.body.split(`--${boundary}`);
    expect(parts).toHaveLength(4); // preamble, json, content, "--\r\n"
    const metadataPart = JSON.parse(parts[1]!.split('\r\n\r\n')[1]!) as unknown;
    expect(metadataPart).toEqual({
      name: 'locks/a b',
      contentType: 'application/json',
      metadata: { owner: 'abc' },
    });
    expect(parts[2]).toBe('\r\nContent-Type: application/json\r\n\r\n{"x":1}\r\n');
    expect(result.object).toEqual({
      bucket: 'my-bucket',
      name: 'locks/a b',
      generation: '1704164645123456',
      metageneration: '1',
      timeCreated: Date.UTC(2024, 0, 2, 3, 4, 5, 123),
      updated: Date.UTC(2024, 0, 2, 3, 4, 5, 123),
      metadata: { owner: 'abc' },
    });
    expect(result.serverTime).toBe(DATE_MS);
  });

  it('get: encodes "/" in the name, asks for few fields, passes preconditions', async () => {
    current().setHandler((_, res) => json(res, 200, resource('locks/x', { metadata: undefined })));
    const { object, serverTime } = await store().get('my-bucket', 'locks/x', {
      preconditions: { ifGenerationNotMatch: '5', ifMetagenerationMatch: '2' },
    });
    const url = new URL(current().requests[0]!.url, current().url);
    expect(current().requests[0]!.url.startsWith('/storage/v1/b/my-bucket/o/locks%2Fx?')).toBe(true);
    expect(url.searchParams.get('fields')).toContain('generation');
    expect(url.searchParams.get('ifGenerationNotMatch')).toBe('5');
    expect(url.searchParams.get('ifMetagenerationMatch')).toBe('2');
    expect(object?.metadata).toEqual({});
    expect(serverTime).toBe(DATE_MS);
  });

  it('get: a GCS 404 for the object resolves null with the server time', async () => {
    current().setHandler((_, res) =>
      json(res, 404, { error: { code: 404, message: 'No such object: my-bucket/x' } }),
    );
    expect(await store().get('my-bucket', 'x')).toEqual({ object: null, serverTime: DATE_MS });
  });

  it('get: a 404 that names the bucket, or that is not a GCS error at all, throws', async () => {
    current().setHandler((_, res) => json(res, 404, { error: { code: '404', message: 'No such bucket.' } }));
    const missingBucket = await storageRefusal(store().get('my-bucket', 'x'));
    expect(missingBucket.status).toBe(404);
    expect(missingBucket.message).toContain('bucket "my-bucket" does not exist');
    current().setHandler((_, res) =>
      res.writeHead(404, { 'content-type': 'text/html' }).end('<p>Not Found</p>'),
    );
    const notGcs = await storageRefusal(store().get('my-bucket', 'x'));
    expect(notGcs.status).toBe(404);
    expect(notGcs.message).toContain('<p>Not Found</p>');
  });

  it('patchMetadata: PATCH with a JSON metadata map (null deletes) and both preconditions', async () => {
    current().setHandler((_, res) => json(res, 200, resource('l', { metageneration: '3' })));
    const { object } = await store().patchMetadata(
      'my-bucket',
      'l',
      { heartbeat: '5', gone: null },
      { preconditions: { ifGenerationMatch: '7', ifMetagenerationMatch: '2' } },
    );
    const [seen] = current().requests;
    expect(seen!.method).toBe('PATCH');
    expect(seen!.url).toMatch(
      /^\/storage\/v1\/b\/my-bucket\/o\/l\?.*ifGenerationMatch=7&ifMetagenerationMatch=2$/,
    );
    expect(JSON.parse(seen!.body)).toEqual({ metadata: { heartbeat: '5', gone: null } });
    expect(seen!.headers['content-type']).toBe('application/json');
    expect(object.metageneration).toBe('3');
  });

  it('delete: DELETE pinned to the generation, 204 resolves', async () => {
    current().setHandler((_, res) => res.writeHead(204).end());
    await store().delete('my-bucket', 'a/b', { preconditions: { ifGenerationMatch: '9' } });
    expect(current().requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'DELETE /storage/v1/b/my-bucket/o/a%2Fb?ifGenerationMatch=9',
    ]);
  });

  it('list: prefix, pageToken and maxResults; items parsed, next page token kept', async () => {
    current().setHandler((_, res) =>
      json(res, 200, { items: [resource('p/1'), resource('p/2')], nextPageToken: 'T2' }),
    );
    const page = await store().list('my-bucket', { prefix: 'p/', pageToken: 'T1', maxResults: 2 });
    const url = new URL(current().requests[0]!.url, current().url);
    expect(url.pathname).toBe('/storage/v1/b/my-bucket/o');
    expect([
      url.searchParams.get('prefix'),
      url.searchParams.get('pageToken'),
      url.searchParams.get('maxResults'),
    ]).toEqual(['p/', 'T1', '2']);
    expect(page.items.map((item) => item.name)).toEqual(['p/1', 'p/2']);
    expect(page.nextPageToken).toBe('T2');
    current().setHandler((_, res) => json(res, 200, { kind: 'storage#objects' }));
    expect(await store().list('my-bucket')).toEqual({ items: [], nextPageToken: undefined });
  });
});

describe('GcsStore errors: the HTTP status decides', () => {
  it.each([
    [
      412,
      {
        error: {
          code: 412,
          message: 'At least one of the pre-conditions you specified did not hold.',
          errors: [{ reason: 'conditionNotMet' }],
        },
      },
      'conditionNotMet',
    ],
    [412, { error: { code: '412', message: 'precondition failed' } }, undefined],
    [304, undefined, undefined],
    [
      429,
      { error: { code: 429, message: 'rate', errors: [{ reason: 'rateLimitExceeded' }] } },
      'rateLimitExceeded',
    ],
    [503, { error: { code: 503, message: 'backend' } }, undefined],
  ])('%i becomes StorageError with that status', async (status, body, reason) => {
    current().setHandler((_, res) => (body ? json(res, status, body) : res.writeHead(status).end()));
    const error = await storageRefusal(store().patchMetadata('my-bucket', 'l', {}, {}));
    expect(error.status).toBe(status);
    expect(error.reason).toBe(reason);
    expect(error.operation).toBe('PATCH gs://my-bucket/l');
    if (body) expect(error.message).toContain(body.error.message);
    expect(error.retryable).toBe(status >= 429);
  });

  it('a non-JSON 500 keeps a short snippet of the body', async () => {
    current().setHandler((_, res) => res.writeHead(500).end(`<html>${'x'.repeat(5000)}</html>`));
    const error = await storageRefusal(store().get('my-bucket', 'l'));
    expect(error.status).toBe(500);
    expect(error.message.length).toBeLessThan(400);
  });

  it('403 names the permission for the operation and the role; 401 says authentication', async () => {
    current().setHandler((_, res) => json(res, 403, { error: { code: 403, message: 'denied' } }));
    const insert = await storageRefusal(store().insert('my-bucket', 'l', { metadata: {}, body: '' }));
    expect(insert.message).toMatch(/storage\.objects\.create.*"my-bucket".*roles\/storage\.objectUser/);
    const del = await storageRefusal(store().delete('my-bucket', 'l'));
    expect(del.message).toContain('storage.objects.delete');
    expect(del.retryable).toBe(false);
    current().setHandler((_, res) =>
      json(res, 401, { error: { code: 401, message: 'Invalid Credentials' } }),
    );
    expect((await storageRefusal(store().get('my-bucket', 'l'))).message).toContain('not authenticated');
  });

  it('insert 404 means the bucket is missing', async () => {
    current().setHandler((_, res) =>
      json(res, 404, { error: { code: 404, message: 'No such object: my-bucket/l' } }),
    );
    const error = await storageRefusal(store().insert('my-bucket', 'l', { metadata: {}, body: '' }));
    expect(error.status).toBe(404);
    expect(error.message).toContain('bucket "my-bucket" does not exist');
  });

  it('a redirect is not followed: one request, a non-retryable error naming the target', async () => {
    current().setHandler((_, res) =>
      res.writeHead(302, { location: `${current().url}/elsewhere?token=x` }).end(),
    );
    const error = await storageRefusal(store().delete('my-bucket', 'l'));
    expect(current().requests).toHaveLength(1);
    expect(error.status).toBe(302);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(`redirect to ${current().url}/elsewhere`);
    expect(error.message).not.toContain('token=x');
  });

  it('a 200 without an object resource is an ambiguous (retryable) failure, not a success', async () => {
    current().setHandler((_, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"kind":'),
    );
    const error = await storageRefusal(store().insert('my-bucket', 'l', { metadata: {}, body: '' }));
    expect(error.status).toBeUndefined();
    expect(error.message).toContain('unusable response');
  });

  it('a reset connection is a transport failure with its cause', async () => {
    current().setHandler((_, res) => res.socket?.destroy());
    const error = await storageRefusal(store().get('my-bucket', 'l'));
    expect(error.status).toBeUndefined();
    expect(error.retryable).toBe(true);
    expect(error.cause).toBeDefined();
  });
});

describe('GcsStore abort and timeout', () => {
  it('rejects with the caller signal reason, exactly, and sends nothing when already aborted', async () => {
    const reason = new Error('caller gave up');
    await expect(store().get('my-bucket', 'l', { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(current().requests).toHaveLength(0);

    current().setHandler(() => {}); // never answers
    const controller = new AbortController();
    const pending = store().get('my-bucket', 'l', { signal: controller.signal });
    await expect.poll(() => current().requests.length).toBe(1);
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('a request with no answer within requestTimeout is a retryable StorageError', async () => {
    current().setHandler(() => {});
    const quick = new GcsStore({ endpoint: current().url, requestTimeout: 50 });
    const error = await storageRefusal(quick.get('my-bucket', 'l', { signal: new AbortController().signal }));
    expect(error.status).toBeUndefined();
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('requestTimeout');
  });

  it('rejects a bad requestTimeout before any request', () => {
    expect(() => new GcsStore({ endpoint: current().url, requestTimeout: 0 })).toThrow(ConfigurationError);
    expect(() => new GcsStore({ endpoint: current().url, requestTimeout: Number.NaN })).toThrow(
      /requestTimeout/,
    );
  });
});
