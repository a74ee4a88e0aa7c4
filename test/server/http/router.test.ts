import { describe, expect, it } from 'vitest';
import { StorageEngine } from '../../../src/server/engine/engine.js';
import { ByteBudget } from '../../../src/server/http/budget.js';
import { ResumableSessions } from '../../../src/server/http/resumable.js';
import { DEFAULT_LIMITS } from '../../../src/server/limits.js';
import { routeRequest } from '../../../src/server/http/router.js';

const ctx = {
  engine: new StorageEngine({ buckets: ['bkt'] }),
  sessions: new ResumableSessions({
    limits: DEFAULT_LIMITS,
    budget: new ByteBudget(DEFAULT_LIMITS.maxBufferedBytes),
  }),
};
const route = (method: string, url: string, body = '') => {
  const [path = '', query = ''] = url.split('?');
  return routeRequest(ctx, {
    method,
    path,
    query: new URLSearchParams(query),
    headers: {},
    body: Buffer.from(body),
    baseUrl: 'http://127.0.0.1:1',
  });
};
const target = (method: string, url: string, body = '') => {
  const { op, bucket, object } = route(method, url, body);
  return { op, bucket, object };
};

describe('routeRequest', () => {
  it('names the op, bucket and decoded object of each request, for fault rules', () => {
    expect(target('GET', '/storage/v1/b/bkt/o/a%2Fb%20%E2%98%83')).toEqual({
      op: 'get',
      bucket: 'bkt',
      object: 'a/b ☃',
    });
    expect(target('GET', '/storage/v1/b/bkt/o/a/b')).toEqual({ op: 'get', bucket: 'bkt', object: 'a/b' });
    expect(target('PATCH', '/storage/v1/b/bkt/o/x')).toEqual({ op: 'patch', bucket: 'bkt', object: 'x' });
    expect(target('DELETE', '/storage/v1/b/bkt/o/x')).toEqual({ op: 'delete', bucket: 'bkt', object: 'x' });
    expect(target('GET', '/storage/v1/b/bkt/o')).toEqual({ op: 'list', bucket: 'bkt', object: undefined });
    expect(target('GET', '/download/storage/v1/b/bkt/o/x')).toEqual({
      op: 'get',
      bucket: 'bkt',
      object: 'x',
    });
    expect(target('POST', '/upload/storage/v1/b/bkt/o?uploadType=media&name=m')).toEqual({
      op: 'insert',
      bucket: 'bkt',
      object: 'm',
    });
    expect(target('POST', '/storage/v1/b?project=p', '{"name":"new-bucket"}').op).toBe('bucket');
    expect(target('GET', '/storage/v1/b/bkt')).toEqual({ op: 'bucket', bucket: 'bkt', object: undefined });
    // STORAGE_EMULATOR_HOST as the official client uses it: the JSON API without `/storage/v1`.
    expect(target('GET', '/b/bkt/o/x')).toEqual({ op: 'get', bucket: 'bkt', object: 'x' });
  });

  it('routing applies nothing: only run() does', () => {
    const insert = route('POST', '/upload/storage/v1/b/bkt/o?uploadType=media&name=later', 'x');
    expect(ctx.engine.listObjects('bkt').items).toEqual([]);
    expect(insert.run().status).toBe(200);
    expect(ctx.engine.getObject('bkt', 'later').data.toString()).toBe('x');
  });

  it('refuses unknown paths (404), unsupported methods (405), bad escapes and upload types (400)', () => {
    expect(() => route('GET', '/storage/v2/b')).toThrow(expect.objectContaining({ status: 404 }));
    expect(() => route('PUT', '/storage/v1/b/bkt/o/x')).toThrow(expect.objectContaining({ status: 405 }));
    expect(() => route('GET', '/storage/v1/b/bkt/o/%E2%98')).toThrow(
      expect.objectContaining({ status: 400 }),
    );
    expect(() => route('POST', '/upload/storage/v1/b/bkt/o?uploadType=weird&name=x')).toThrow(
      expect.objectContaining({ status: 400 }),
    );
  });
});
