/**
 * The endpoint and bucket the conformance suites run against, and raw-HTTP helpers: a local server by
 * default, or the endpoint in GCS_CONFORMANCE_ENDPOINT (see gcs-conformance.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/start-server.js';

export const REMOTE = process.env.GCS_CONFORMANCE_ENDPOINT;
export const TOKEN = process.env.GCS_CONFORMANCE_TOKEN;
export const RUN = `gcs-lock-conformance/${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
export const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
export const RFC3339_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let server: RunningServer | undefined;
export let base = '';
export let bucket = '';

/** GCS's loosely typed JSON, checked by the assertions themselves. */
export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export interface Answer {
  status: number;
  headers: Headers;
  body: Json;
  text: string;
}

export async function call(
  method: string,
  path: string,
  init: { body?: string | Buffer; type?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (TOKEN) headers.authorization = `Bearer ${TOKEN}`;
  if (init.type) headers['content-type'] = init.type;
  const response = await fetch(base + path, {
    method,
    headers,
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  const text = await response.text();
  let body: Json = {};
  try {
    body = text ? (JSON.parse(text) as Json) : {};
  } catch {
    body = {};
  }
  return { status: response.status, headers: response.headers, body, text };
}

export const name = (suffix: string): string => `${RUN}/${suffix}`;
export const objectPath = (object: string, query = ''): string =>
  `/storage/v1/b/${bucket}/o/${encodeURIComponent(object)}${query ? `?${query}` : ''}`;
export const qs = (params: Record<string, string>): string => new URLSearchParams(params).toString();

/** A multipart insert, the one-request upload the lock uses. */
export function insert(
  object: string,
  options: {
    metadata?: Record<string, string>;
    data?: string;
    query?: Record<string, string>;
    bucketName?: string;
  } = {},
): Promise<Answer> {
  const boundary = `b${randomBytes(8).toString('hex')}`;
  const body =
    `--${boundary}\r\ncontent-type: application/json; charset=UTF-8\r\n\r\n` +
    `${JSON.stringify({ name: object, metadata: options.metadata ?? {} })}\r\n` +
    `--${boundary}\r\ncontent-type: text/plain\r\n\r\n${options.data ?? 'data'}\r\n--${boundary}--\r\n`;
  const query = qs({ uploadType: 'multipart', ...options.query });
  return call('POST', `/upload/storage/v1/b/${options.bucketName ?? bucket}/o?${query}`, {
    body,
    type: `multipart/related; boundary=${boundary}`,
  });
}

export function patch(
  object: string,
  metadata: Record<string, string | null>,
  query: Record<string, string> = {},
) {
  return call('PATCH', objectPath(object, qs(query)), {
    body: JSON.stringify({ metadata }),
    type: 'application/json',
  });
}

export async function created(object: string, metadata: Record<string, string> = {}): Promise<Json> {
  const answer = await insert(object, { metadata });
  expect(answer.status).toBe(200);
  return answer.body;
}

export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Registers the suite's set-up: the target endpoint before all tests, and afterwards the deletion of
 * every object the run created (every version, where the bucket keeps them).
 */
export function useTarget(extraBuckets: Array<{ name: string } & Record<string, unknown>> = []): void {
  beforeAll(async () => {
    if (REMOTE) {
      base = REMOTE.replace(/\/+$/, '');
      bucket = process.env.GCS_CONFORMANCE_BUCKET ?? '';
      if (!bucket) throw new Error('GCS_CONFORMANCE_BUCKET is required with GCS_CONFORMANCE_ENDPOINT');
    } else {
      bucket = 'conformance-bucket';
      // GCS_CONFORMANCE_GENERATIONS=unordered: generations in no order, as GCS documents them.
      const unordered = process.env['GCS_CONFORMANCE_GENERATIONS'] === 'unordered';
      server = await startServer({
        buckets: [bucket, ...extraBuckets],
        ...(unordered && { generations: 'unordered' as const }),
      });
      base = server.url;
    }
  });

  afterAll(async () => {
    if (base) {
      const listed = await call('GET', `/storage/v1/b/${bucket}/o?${qs({ prefix: `${RUN}/` })}`);
      for (const item of (listed.body.items ?? []) as Json[])
        await call('DELETE', objectPath(item.name as string));
    }
    await server?.close();
  });
}
