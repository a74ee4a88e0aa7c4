/**
 * A property-based test (fast-check): any request (a method; a path the router serves with anything
 * in its variable parts, or a path of anything, bad escapes included; query parameters; bodies; range
 * headers) gets a GCS-shaped answer from the server, and never a 500. The run count keeps it to a few
 * seconds; a failure prints the shrunk counterexample.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serverForFile } from './support.js';

const BUCKET = 'fuzz';
const { server: running, send } = serverForFile({ buckets: [BUCKET] });

const segment = fc.oneof(
  fc.constantFrom(
    'storage',
    'v1',
    'b',
    BUCKET,
    'o',
    'upload',
    'download',
    'resumable',
    'compose',
    'rewriteTo',
    'copyTo',
  ),
  fc.constantFrom(
    'iam',
    'testPermissions',
    'storageLayout',
    '_gcs-lock',
    'faults',
    'clock',
    'reset',
    'health',
  ),
  fc.constantFrom('%', '%zz', '%E0%A4%A', '%2F', '..', '.', '', 'no-such-bucket', 'x%00y', '%F0%9F%98'),
  fc.string({ maxLength: 5 }).map((text) => encodeURIComponent(text)),
);
const queryParam = fc.tuple(
  fc.constantFrom(
    'uploadType',
    'name',
    'upload_id',
    'ifGenerationMatch',
    'ifMetagenerationNotMatch',
    'generation',
    'maxResults',
    'pageToken',
    'prefix',
    'delimiter',
    'alt',
    'versions',
    'startOffset',
    'endOffset',
    'permissions',
    'sourceGeneration',
    'ifSourceGenerationMatch',
    'projection',
    'includeTrailingDelimiter',
  ),
  fc.oneof(
    fc.constantFrom(
      'media',
      'multipart',
      'resumable',
      'json',
      'true',
      '0',
      '-1',
      '99999999999999999999999',
      '',
    ),
    fc.string({ maxLength: 6 }),
  ),
);
const bucketSegment = fc.oneof(fc.constantFrom(BUCKET, BUCKET, 'no-such-bucket', 'UP', '%zz', ''), segment);
const objectSegment = fc.oneof(fc.constantFrom('a', 'a', '%2E%2E', 'a%2Fb'), segment);
/** Paths the router serves, with anything in their variable parts; and paths made of anything. */
const segments = fc.oneof(
  fc
    .tuple(bucketSegment, objectSegment)
    .chain(([b, n]) =>
      fc.constantFrom(
        ['storage', 'v1', 'b', b, 'o', n],
        ['storage', 'v1', 'b', b, 'o'],
        ['storage', 'v1', 'b', b],
        ['storage', 'v1', 'b'],
        ['upload', 'storage', 'v1', 'b', b, 'o'],
        ['resumable', 'upload', 'storage', 'v1', 'b', b, 'o'],
        ['download', 'storage', 'v1', 'b', b, 'o', n],
        ['storage', 'v1', 'b', b, 'o', n, 'compose'],
        ['storage', 'v1', 'b', b, 'o', n, 'rewriteTo', 'b', b, 'o', `${n}2`],
        ['storage', 'v1', 'b', b, 'o', n, 'copyTo', 'b', b, 'o', n],
        ['storage', 'v1', 'b', b, 'iam', 'testPermissions'],
        ['storage', 'v1', 'b', b, 'storageLayout'],
        ['b', b, 'o', n],
        ['_gcs-lock', n],
        ['_gcs-lock', 'faults', n],
        ['_gcs-lock', 'buckets', b, 'denied-permissions'],
      ),
    ),
  fc.array(segment, { maxLength: 9 }),
);
const anyRequest = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'),
  segments,
  query: fc.array(queryParam, { maxLength: 4 }),
  contentType: fc.constantFrom(
    undefined,
    'application/json',
    'text/plain',
    'multipart/related; boundary=b',
    "multipart/related; boundary='q'",
  ),
  range: fc.option(
    fc.constantFrom('bytes=0-0', 'bytes=5-', 'bytes=-3', 'bytes=9-1', 'bytes=1-2,4-5', 'items=0-1'),
    {
      nil: undefined,
    },
  ),
  contentRange: fc.option(
    fc.constantFrom('bytes */*', 'bytes 0-0/1', 'bytes 5-2/1', 'bytes */3', 'bytes 0-*/*', 'bogus'),
    { nil: undefined },
  ),
  body: fc.oneof(
    fc.constant(''),
    fc.constantFrom(
      '{}',
      '{"name":"n"}',
      '{"metadata":{"__proto__":"p"}}',
      '[1]',
      'null',
      '{"sourceObjects":[{"name":"a"}]}',
    ),
    fc.constant('--b\r\n\r\n{}\r\n--b\n\ndata\n--b--'),
    // A content type the server could not send back in a header, set every way one can be set.
    fc.constant('{"name":"a","contentType":"x/\u2603\u0000"}'),
    fc.constant('--b\r\n\r\n{"name":"a"}\r\n--b\r\nContent-Type: t/\u00e9\u2603\r\n\r\nd\r\n--b--'),
    fc.string({ maxLength: 30 }),
  ),
});

describe('any request', () => {
  it('gets a GCS-shaped answer, and never a 500', async () => {
    running().engine.insertObject(BUCKET, 'a', { data: Buffer.from('x') });
    await fc.assert(
      fc.asyncProperty(anyRequest, async (r) => {
        const path = `/${r.segments.join('/')}${r.query.length > 0 ? `?${r.query.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}` : ''}`;
        const headers: Record<string, string> = { 'x-gcs-lock-control': '1' };
        if (r.contentType !== undefined) headers['content-type'] = r.contentType;
        if (r.contentRange !== undefined) headers['content-range'] = r.contentRange;
        if (r.range !== undefined) headers.range = r.range;
        const answer = await send(
          r.method,
          path,
          headers,
          r.method === 'GET' || r.method === 'HEAD' ? undefined : Buffer.from(r.body),
        );
        expect(answer.status, `${r.method} ${path}`).toBeLessThan(500);
        if (answer.status >= 400 && r.method !== 'HEAD') {
          const json = JSON.parse(answer.body) as {
            error: { code: number; message: string; errors: Array<{ reason: string }> };
          };
          expect(json.error.code).toBe(answer.status);
          expect(typeof json.error.errors[0]?.reason).toBe('string');
          expect(typeof json.error.message).toBe('string');
        }
      }),
      { numRuns: 400 },
    );
    expect(running().stats().bufferedBytes).toBe(0);
  });
});
