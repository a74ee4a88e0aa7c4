import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FaultPlan } from '../../../src/server/fault-plan.js';
import { startServer, type RunningServer } from '../../../src/server/start-server.js';
import { insertMedia, objectUrl, request } from '../support.js';

const BUCKET = 'faults';
let server: RunningServer;

beforeEach(async () => {
  server = await startServer({ buckets: [BUCKET] });
});
afterEach(async () => {
  await server.close();
});

const exists = async (name: string): Promise<boolean> =>
  (await request(objectUrl(server.url, BUCKET, name))).status === 200;

describe('faults over HTTP', () => {
  it('latency delays the answer by at least the fixed latency, then serves it', async () => {
    server.faults.add({ kind: 'latency', latencyMs: 150, ops: ['insert'] });
    const started = performance.now();
    const answer = await insertMedia(server.url, BUCKET, 'slow');
    // Timers may fire a millisecond early by the performance clock: a lower bound with that slack only.
    expect(performance.now() - started).toBeGreaterThanOrEqual(148);
    expect(answer.status).toBe(200);
    expect(server.faults.delivered.latency).toBe(1);
  });

  it('error answers the status with GCS error body, and changes nothing', async () => {
    server.faults.add({ kind: 'error', status: 503, ops: ['insert'] });
    const answer = await insertMedia(server.url, BUCKET, 'refused');
    expect(answer.status).toBe(503);
    expect(answer.json.error).toMatchObject({
      code: 503,
      errors: [{ domain: 'global', reason: 'backendError' }],
    });
    expect(answer.headers.get('date')).toBeTruthy();
    expect(await exists('refused')).toBe(false);
  });

  it('error 429 carries rateLimitExceeded', async () => {
    server.faults.add({ kind: 'error', status: 429, ops: ['get'] });
    const answer = await request(objectUrl(server.url, BUCKET, 'anything'));
    expect(answer.status).toBe(429);
    expect(answer.json.error?.errors[0]?.reason).toBe('rateLimitExceeded');
  });

  it('reset drops the connection before applying: the client sees a transport error, nothing changed', async () => {
    server.faults.add({ kind: 'reset', ops: ['insert'], count: 1 });
    await expect(insertMedia(server.url, BUCKET, 'reset')).rejects.toThrow();
    expect(await exists('reset')).toBe(false);
    expect(server.faults.delivered.reset).toBe(1);
  });

  it('commit-then-drop applies the change and loses the answer', async () => {
    server.faults.add({ kind: 'commit-then-drop', ops: ['insert'], count: 1 });
    await expect(insertMedia(server.url, BUCKET, 'ambiguous', 'it landed')).rejects.toThrow();
    const after = await request(objectUrl(server.url, BUCKET, 'ambiguous', 'alt=media'));
    expect(after.status).toBe(200);
    expect(after.text).toBe('it landed');
    expect(server.faults.delivered['commit-then-drop']).toBe(1);
  });

  it('commit-then-drop on a patch bumps the metageneration without an answer', async () => {
    await insertMedia(server.url, BUCKET, 'patched');
    server.faults.add({ kind: 'commit-then-drop', ops: ['patch'] });
    await expect(
      request(objectUrl(server.url, BUCKET, 'patched'), {
        method: 'PATCH',
        body: JSON.stringify({ metadata: { k: 'v' } }),
        headers: { 'content-type': 'application/json' },
      }),
    ).rejects.toThrow();
    const after = await request(objectUrl(server.url, BUCKET, 'patched'));
    expect(after.json).toMatchObject({ metageneration: '2', metadata: { k: 'v' } });
  });

  it('stall holds the request unanswered until the client gives up, and applies nothing', async () => {
    server.faults.add({ kind: 'stall', stallMs: 3_600_000, ops: ['insert'] });
    const controller = new AbortController();
    const pending = insertMedia(server.url, BUCKET, 'stalled', 'x', {}, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(pending).rejects.toThrow(/abort/i);
    expect(server.faults.delivered.stall).toBe(1);
    expect(await exists('stalled')).toBe(false);
  });

  it('count: only the next N matching requests are hit, then the rule retires', async () => {
    server.faults.add({ kind: 'error', status: 500, ops: ['insert'], count: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await insertMedia(server.url, BUCKET, 'counted')).status);
    expect(statuses).toEqual([500, 500, 200]);
    expect(server.faults.rules()).toEqual([]);
  });

  it('rules match by op and object; others pass untouched', async () => {
    server.faults.add({ kind: 'error', status: 503, ops: ['insert'], object: 'target' });
    expect((await insertMedia(server.url, BUCKET, 'bystander')).status).toBe(200);
    expect((await request(objectUrl(server.url, BUCKET, 'bystander'))).status).toBe(200);
    expect((await insertMedia(server.url, BUCKET, 'target')).status).toBe(503);
  });
});

describe('fault rate', () => {
  it('hits exactly the requests whose random draw falls under the rate', async () => {
    const draws = [0.1, 0.9, 0.2, 0.8];
    const faults = new FaultPlan({ random: () => draws.shift() ?? 1 });
    await using rated = await startServer({ buckets: [BUCKET], faults });
    faults.add({ kind: 'error', status: 503, rate: 0.5, ops: ['get'] });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await request(objectUrl(rated.url, BUCKET, 'x'))).status);
    expect(statuses).toEqual([503, 404, 503, 404]);
    expect(faults.delivered.error).toBe(2);
  });
});

describe('content types a header cannot carry', () => {
  it('are refused with 400 wherever they can be set, so no later download fails', async () => {
    const bad = 'text/\u2603';
    const multipart = (meta: string, partType: string) =>
      request(`${server.url}/upload/storage/v1/b/${BUCKET}/o?uploadType=multipart&name=typed`, {
        method: 'POST',
        headers: { 'content-type': 'multipart/related; boundary=b' },
        body: `--b\r\nContent-Type: application/json\r\n\r\n${meta}\r\n--b\r\nContent-Type: ${partType}\r\n\r\nx\r\n--b--`,
      });
    const inJson = await multipart(JSON.stringify({ contentType: bad }), 'text/plain');
    expect(inJson.status).toBe(400);
    expect(inJson.json.error?.message).toMatch(/Invalid value for contentType/);
    expect((await multipart('{}', 'text/\u00e9')).status).toBe(400);
    expect((await multipart('{}', 'text/plain')).status).toBe(200);
    const patched = await request(objectUrl(server.url, BUCKET, 'typed'), {
      method: 'PATCH',
      body: JSON.stringify({ contentType: 'a\u0000b' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(patched.status).toBe(400);
    const media = await request(objectUrl(server.url, BUCKET, 'typed', 'alt=media'));
    expect(media.status).toBe(200);
    expect(media.headers.get('content-type')).toBe('text/plain');
  });
});
