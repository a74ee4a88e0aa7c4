import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { insertMedia, objectUrl, request } from './support.js';

const BUCKET = 'control';
let server: RunningServer;
let control: string;

beforeEach(async () => {
  server = await startServer({ buckets: [BUCKET] });
  control = `${server.url}/_gcs-lock`;
});
afterEach(async () => {
  await server.close();
});

const send = (method: string, path: string, body?: unknown) =>
  request(`${control}/${path}`, {
    method,
    headers: { 'x-gcs-lock-control': '1', 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe('control endpoint', () => {
  it('adds, lists, counts and clears fault rules', async () => {
    const added = await send('POST', 'faults', { kind: 'error', status: 503, ops: ['insert'], count: 2 });
    expect(added.status).toBe(200);
    expect(typeof added.json.id).toBe('string');
    expect((await insertMedia(server.url, BUCKET, 'a')).status).toBe(503);
    const listed = await send('GET', 'faults');
    expect(listed.json).toMatchObject({
      rules: [{ id: added.json.id, kind: 'error', remaining: 1 }],
      delivered: { error: 1, reset: 0 },
    });
    expect((await send('DELETE', 'faults')).json).toEqual({ removed: 1 });
    expect((await insertMedia(server.url, BUCKET, 'a')).status).toBe(200);
  });

  it('removes one rule by id', async () => {
    const { json } = await send('POST', 'faults', { kind: 'reset' });
    expect((await send('DELETE', `faults/${String(json.id)}`)).json).toEqual({ removed: 1 });
    expect((await send('DELETE', `faults/${String(json.id)}`)).json).toEqual({ removed: 0 });
    expect(server.faults.rules()).toEqual([]);
  });

  it('rejects an invalid rule with 400 and adds nothing', async () => {
    const answer = await send('POST', 'faults', { kind: 'explode' });
    expect(answer.status).toBe(400);
    expect(answer.json.error?.message).toMatch(/fault kind/);
    expect(server.faults.rules()).toEqual([]);
  });

  it('is never faulted itself', async () => {
    server.faults.add({ kind: 'reset' });
    expect((await send('GET', 'health')).status).toBe(200);
    expect((await send('GET', 'faults')).status).toBe(200);
  });

  it('sets the clock offset, seen in Date and in updated', async () => {
    const day = 86_400_000;
    expect((await send('PUT', 'clock', { offsetMs: day })).json.offsetMs).toBe(day);
    const answer = await insertMedia(server.url, BUCKET, 'future');
    // A one-day offset dwarfs any delay between these lines.
    expect(Date.parse(answer.headers.get('date')!)).toBeGreaterThan(Date.now() + day / 2);
    expect(Date.parse(answer.json.updated as string)).toBeGreaterThan(Date.now() + day / 2);
    expect((await send('PUT', 'clock', { offsetMs: 'soon' })).status).toBe(400);
  });

  it('turns the rate limit on and off', async () => {
    await send('PUT', 'rate-limit', { perSecond: 0.001, burst: 1 });
    expect((await insertMedia(server.url, BUCKET, 'hot')).status).toBe(200);
    const limited = await insertMedia(server.url, BUCKET, 'hot');
    expect(limited.status).toBe(429);
    expect(limited.json.error?.errors[0]?.reason).toBe('rateLimitExceeded');
    expect((await send('GET', 'rate-limit')).json).toEqual({ rateLimit: { perSecond: 0.001, burst: 1 } });
    await send('DELETE', 'rate-limit');
    expect((await insertMedia(server.url, BUCKET, 'hot')).status).toBe(200);
    expect((await send('PUT', 'rate-limit', { perSecond: -1, burst: 1 })).status).toBe(400);
  });

  it('reset deletes objects, clears rules and counts, keeps buckets', async () => {
    await insertMedia(server.url, BUCKET, 'doomed');
    server.faults.add({ kind: 'latency', latencyMs: 1, ops: ['list'] });
    await request(`${server.url}/storage/v1/b/${BUCKET}/o`);
    expect((await send('POST', 'reset')).status).toBe(200);
    expect((await request(objectUrl(server.url, BUCKET, 'doomed'))).status).toBe(404);
    expect(server.faults.rules()).toEqual([]);
    expect(server.faults.delivered.latency).toBe(0);
    expect((await request(`${server.url}/storage/v1/b/${BUCKET}`)).status).toBe(200);
  });

  it('answers 404 for an unknown control operation', async () => {
    expect((await send('GET', 'nothing-here')).status).toBe(404);
  });
});
