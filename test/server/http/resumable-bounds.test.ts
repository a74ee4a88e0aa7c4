import { describe, expect, it } from 'vitest';
import { StorageEngine } from '../../../src/server/engine/engine.js';
import { ByteBudget } from '../../../src/server/http/budget.js';
import { ResumableSessions } from '../../../src/server/http/resumable.js';
import { startServer } from '../../../src/server/start-server.js';
import { request } from '../support.js';

const BASE = 'http://127.0.0.1:1';
const LIMITS = { maxObjectBytes: 100, maxUploadSessions: 3, uploadSessionIdleMs: 60_000 };

function setup(budgetBytes = 1000) {
  let now = 0;
  const engine = new StorageEngine({ buckets: ['bkt'] });
  const budget = new ByteBudget(budgetBytes);
  const sessions = new ResumableSessions({ limits: LIMITS, budget, now: () => now });
  const open = (name: string, headers: Record<string, string> = {}): string => {
    const reply = sessions.initiate(
      engine,
      'bkt',
      new URLSearchParams({ name }),
      headers,
      Buffer.alloc(0),
      BASE,
    );
    return reply.headers!['x-guploader-uploadid']!;
  };
  const put = (id: string, range: string, data: string | Buffer) =>
    sessions.put(engine, id, range, Buffer.from(data), BASE);
  return { engine, budget, sessions, open, put, advance: (ms: number) => (now += ms) };
}

const statusOf = (run: () => unknown): number | 'ok' => {
  try {
    run();
    return 'ok';
  } catch (error) {
    return (error as { status: number }).status;
  }
};

describe('resumable sessions: bounds', () => {
  it('holds every received byte against the budget, and releases them on completion', () => {
    const { budget, open, put } = setup();
    const id = open('a');
    expect(put(id, 'bytes 0-9/*', 'x'.repeat(10)).status).toBe(308);
    expect(budget.used).toBe(10);
    expect(put(id, 'bytes 10-14/15', 'y'.repeat(5)).status).toBe(200);
    expect(budget.used).toBe(0);
  });

  it('refuses a session beyond maxObjectBytes with 413 uploadTooLarge: declared up front, or as bytes arrive', () => {
    const { open, put, budget } = setup();
    expect(statusOf(() => open('big', { 'x-upload-content-length': '101' }))).toBe(413);
    const id = open('grows');
    expect(put(id, 'bytes 0-59/*', 'x'.repeat(60)).status).toBe(308);
    let refusal: unknown;
    try {
      put(id, 'bytes 60-119/*', 'x'.repeat(60));
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toMatchObject({ status: 413, reason: 'uploadTooLarge' });
    expect(String(refusal)).toMatch(/maxObjectBytes/);
    expect(budget.used).toBe(60); // the refused chunk was not kept
    expect(statusOf(() => put(id, 'bytes 0-0/200', 'x'))).toBe(413); // a total beyond the limit
  });

  it('answers 503 (retryable) when the server-wide budget is spent, and takes the chunk once bytes are freed', () => {
    const { open, put, sessions } = setup(150);
    const first = open('first');
    const second = open('second');
    put(first, 'bytes 0-99/*', 'x'.repeat(100));
    expect(statusOf(() => put(second, 'bytes 0-59/*', 'y'.repeat(60)))).toBe(503);
    sessions.cancel(first);
    expect(put(second, 'bytes 0-59/*', 'y'.repeat(60)).status).toBe(308);
  });

  it('forgets a session idle for uploadSessionIdleMs, with its bytes; later requests to it are 404', () => {
    const { open, put, budget, advance, sessions } = setup();
    const idle = open('idle');
    const busy = open('busy');
    put(idle, 'bytes 0-19/*', 'x'.repeat(20));
    advance(40_000);
    put(busy, 'bytes 0-9/*', 'x'.repeat(10)); // used since: it stays
    advance(30_000);
    expect(sessions.size).toBe(1);
    expect(budget.used).toBe(10);
    expect(statusOf(() => put(idle, 'bytes 20-29/*', 'x'.repeat(10)))).toBe(404);
    expect(put(busy, 'bytes 10-19/20', 'x'.repeat(10)).status).toBe(200);
  });

  it('keeps at most maxUploadSessions, forgetting the least recently used first', () => {
    const { open, put, sessions, budget } = setup();
    const ids = ['a', 'b', 'c'].map((name) => open(name));
    put(ids[0]!, 'bytes 0-4/*', 'xxxxx'); // a is now the most recently used
    open('d');
    expect(sessions.size).toBe(3);
    expect(statusOf(() => put(ids[1]!, 'bytes */*', ''))).toBe(404);
    expect(put(ids[0]!, 'bytes */*', '').status).toBe(308);
    expect(budget.used).toBe(5);
  });

  it('ends a session whose completion is refused for good (412), freeing its bytes', () => {
    const { engine, sessions, put, budget } = setup();
    engine.insertObject('bkt', 'taken', { data: Buffer.from('x') });
    const reply = sessions.initiate(
      engine,
      'bkt',
      new URLSearchParams({ name: 'taken', ifGenerationMatch: '0' }),
      {},
      Buffer.alloc(0),
      BASE,
    );
    const id = reply.headers!['x-guploader-uploadid']!;
    expect(put(id, 'bytes 0-1/*', 'ab').status).toBe(308);
    expect(budget.used).toBe(2);
    expect(statusOf(() => put(id, 'bytes 2-3/4', 'cd'))).toBe(412);
    expect(budget.used).toBe(0);
    expect(statusOf(() => put(id, 'bytes */*', ''))).toBe(404);
  });
});

describe('upload bounds over HTTP', () => {
  it('a resumable flood stays within maxBufferedBytes: 503 beyond it, and the bytes held never exceed it', async () => {
    await using server = await startServer({
      buckets: ['flood'],
      limits: { maxObjectBytes: 64 * 1024, maxBufferedBytes: 256 * 1024 },
    });
    const chunk = Buffer.alloc(48 * 1024, 1);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const opened = await request(
        `${server.url}/upload/storage/v1/b/flood/o?uploadType=resumable&name=o${i}`,
        {
          method: 'POST',
        },
      );
      const answer = await request(opened.headers.get('location')!, {
        method: 'PUT',
        body: chunk,
        headers: { 'content-range': `bytes 0-${chunk.length - 1}/*` },
      });
      statuses.push(answer.status);
      if (answer.status === 503) expect(answer.json.error?.errors[0]?.reason).toBe('backendError');
      expect(server.stats().bufferedBytes).toBeLessThanOrEqual(256 * 1024);
    }
    expect(statuses.filter((status) => status === 308).length).toBeGreaterThanOrEqual(2);
    expect(statuses).toContain(503);
    expect(server.stats().uploadSessions).toBe(12);
  });

  it('refuses a simple upload over maxObjectBytes with 413 from its Content-Length, before reading it', async () => {
    await using server = await startServer({ buckets: ['big'], limits: { maxObjectBytes: 1024 } });
    const answer = await request(`${server.url}/upload/storage/v1/b/big/o?uploadType=media&name=x`, {
      method: 'POST',
      body: Buffer.alloc(1024 * 1024 + 2048),
    });
    expect(answer.status).toBe(413);
    expect(answer.json.error?.errors[0]?.reason).toBe('uploadTooLarge');
    expect(server.stats().bufferedBytes).toBe(0);
  });
});
