import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll } from 'vitest';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server/start-server.js';

/** Raw HTTP helpers for the server's tests: one request each, nothing hidden. */
export interface Answer {
  status: number;
  headers: Headers;
  json: Record<string, unknown> & {
    error?: { code: number; message: string; errors: Array<{ reason: string }> };
  };
  text: string;
}

export async function request(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  let json = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    json = {};
  }
  return { status: response.status, headers: response.headers, json, text };
}

export const objectUrl = (base: string, bucket: string, name: string, query = ''): string =>
  `${base}/storage/v1/b/${bucket}/o/${encodeURIComponent(name)}${query ? `?${query}` : ''}`;

/** `uploadType=media` insert: the simplest write. */
export function insertMedia(
  base: string,
  bucket: string,
  name: string,
  data = 'data',
  query: Record<string, string> = {},
  init: RequestInit = {},
): Promise<Answer> {
  const params = new URLSearchParams({ uploadType: 'media', name, ...query });
  return request(`${base}/upload/storage/v1/b/${bucket}/o?${params.toString()}`, {
    method: 'POST',
    body: data,
    headers: { 'content-type': 'text/plain' },
    ...init,
  });
}

export function patchMetadata(
  base: string,
  bucket: string,
  name: string,
  metadata: Record<string, string | null>,
  query = '',
): Promise<Answer> {
  return request(objectUrl(base, bucket, name, query), {
    method: 'PATCH',
    body: JSON.stringify({ metadata }),
    headers: { 'content-type': 'application/json' },
  });
}

/**
 * The official Node client, pointed at `url`, without retries: a refusal must surface at once, and a
 * retry's 1-3 s back-off would only slow the tests.
 */
export function officialClient(url: string): Storage {
  return new Storage({
    apiEndpoint: url,
    projectId: 'test-project',
    retryOptions: { autoRetry: false, maxRetries: 0 },
  });
}

/** A raw answer: status, headers and body text. */
export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * One request exactly as given, on a new connection: node:http sends the path verbatim and any Host
 * header (fetch would normalise the path and refuses to set Host).
 */
export function rawRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: Buffer | string,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A server for every test of one file, started before them and closed after, and `send`, which sends
 * one raw request to it. The server is read through `server()` once the tests run.
 */
export function serverForFile(options: ServerOptions): {
  server: () => RunningServer;
  send: (method: string, path: string, headers?: Record<string, string>, body?: Buffer) => Promise<RawAnswer>;
} {
  let running: RunningServer | undefined;
  beforeAll(async () => {
    running = await startServer(options);
  });
  afterAll(async () => {
    await running?.close();
  });
  const server = (): RunningServer => running!;
  return {
    server,
    send: (method, path, headers, body) => rawRequest(server().port, method, path, headers, body),
  };
}

/**
 * A server for every test of one file, with the official Node client pointed at it (`officialClient`):
 * both read through `server()` and `storage()` once the tests run.
 */
export function officialClientForFile(options: ServerOptions): {
  server: () => RunningServer;
  storage: () => Storage;
} {
  const { server } = serverForFile(options);
  let client: Storage | undefined;
  return { server, storage: () => (client ??= officialClient(server().url)) };
}
