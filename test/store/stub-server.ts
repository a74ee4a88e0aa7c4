import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { AddressInfo } from 'node:net';

/** One request as the stub saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type StubHandler = (request: SeenRequest, response: ServerResponse) => void;

/**
 * A tiny HTTP server on 127.0.0.1 that records every request and answers through `handler`, for tests
 * that need exact control of the bytes (garbage bodies, echoed headers, resets, no answer at all).
 */
export async function startStub(handler: StubHandler): Promise<{
  url: string;
  requests: SeenRequest[];
  setHandler(next: StubHandler): void;
  close(): Promise<void>;
}> {
  const requests: SeenRequest[] = [];
  let current = handler;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(seen);
      current(seen, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setHandler: (next) => (current = next),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers with JSON and a fixed `Date`. */
export function json(response: ServerResponse, status: number, body: unknown, date = DATE): void {
  response.writeHead(status, { 'content-type': 'application/json', date });
  response.end(JSON.stringify(body));
}

export const DATE = 'Tue, 02 Jan 2024 03:04:05 GMT';
export const DATE_MS = Date.UTC(2024, 0, 2, 3, 4, 5);

/** An object resource as GCS sends it. */
export function resource(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'storage#object',
    bucket: 'my-bucket',
    name,
    generation: '1704164645123456',
    metageneration: '1',
    timeCreated: '2024-01-02T03:04:05.123Z',
    updated: '2024-01-02T03:04:05.123Z',
    metadata: { owner: 'abc' },
    ...overrides,
  };
}

export type Stub = Awaited<ReturnType<typeof startStub>>;

/**
 * One stub for a test file, answering `{}` until a test sets a handler, its request log emptied after
 * each test. Returns a getter: the stub exists once `beforeAll` has run.
 */
export function useStub(): () => Stub {
  let stub: Stub | undefined;
  beforeAll(async () => {
    stub = await startStub((_, res) => json(res, 200, {}));
  });
  afterAll(async () => stub?.close());
  afterEach(() => {
    if (stub) stub.requests.length = 0;
  });
  return () => stub!;
}
