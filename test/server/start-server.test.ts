import { describe, expect, it } from 'vitest';
import { GCS_RATE_LIMIT } from '../../src/server/engine/rate-limiter.js';
import { startServer } from '../../src/server/start-server.js';
import { insertMedia, objectUrl, request } from './support.js';

describe('startServer', () => {
  it('listens on a free 127.0.0.1 port with the start-up buckets', async () => {
    await using server = await startServer({ buckets: ['one-b', 'two-b'] });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
    const listed = await request(`${server.url}/storage/v1/b?project=p`);
    expect((listed.json.items as Array<{ name: string }>).map((b) => b.name)).toEqual(['one-b', 'two-b']);
  });

  it("generations: 'unordered' hands out random 16-digit generations; 'increasing' is the default", async () => {
    await using unordered = await startServer({ buckets: ['gen'], generations: 'unordered' });
    const generations: bigint[] = [];
    for (let i = 0; i < 40; i++) {
      const answer = await insertMedia(unordered.url, 'gen', 'same');
      expect(answer.json.generation).toMatch(/^[1-9]\d{15}$/);
      generations.push(BigInt(answer.json.generation as string));
    }
    // 39 uniform draws in a row that never decrease: a chance of 2^-39.
    expect(generations.some((g, i) => i > 0 && g < generations[i - 1]!)).toBe(true);
    await using increasing = await startServer({ buckets: ['gen'] });
    const a = BigInt((await insertMedia(increasing.url, 'gen', 'x')).json.generation as string);
    const b = BigInt((await insertMedia(increasing.url, 'gen', 'x')).json.generation as string);
    expect(b).toBeGreaterThan(a);
  });

  it('creates buckets over HTTP, 409 for a taken name, 400 for an invalid one', async () => {
    await using server = await startServer();
    const create = (name: string) =>
      request(`${server.url}/storage/v1/b?project=p`, { method: 'POST', body: JSON.stringify({ name }) });
    expect((await create('fresh-bucket')).json).toMatchObject({
      kind: 'storage#bucket',
      name: 'fresh-bucket',
    });
    expect((await create('fresh-bucket')).status).toBe(409);
    expect((await create('Bad_Bucket')).status).toBe(400);
    expect((await insertMedia(server.url, 'fresh-bucket', 'x')).status).toBe(200);
  });

  it('close() ends kept-alive connections and stalled requests at once', async () => {
    const server = await startServer({ buckets: ['bkt'] });
    expect((await request(objectUrl(server.url, 'bkt', 'x'))).status).toBe(404); // leaves a kept-alive socket
    server.faults.add({ kind: 'stall', stallMs: 3_600_000 });
    const stalled = request(objectUrl(server.url, 'bkt', 'x'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Would hang for an hour (and time the test out) if the stall were not ended by close().
    await server.close();
    await expect(stalled).rejects.toThrow();
    await expect(request(objectUrl(server.url, 'bkt', 'x'))).rejects.toThrow();
  });

  it('applies a clock offset from the options and from setClockOffset', async () => {
    const hour = 3_600_000;
    await using server = await startServer({ buckets: ['bkt'], clockOffsetMs: -10 * hour });
    const past = await insertMedia(server.url, 'bkt', 'x');
    expect(Date.parse(past.headers.get('date')!)).toBeLessThan(Date.now() - 5 * hour);
    server.setClockOffset(10 * hour);
    const future = await request(objectUrl(server.url, 'bkt', 'x'));
    expect(Date.parse(future.headers.get('date')!)).toBeGreaterThan(Date.now() + 5 * hour);
  });

  it('GCS_RATE_LIMIT allows a burst of 5 writes to one object, then 429; setRateLimit(false) lifts it', async () => {
    await using server = await startServer({ buckets: ['bkt'], rateLimit: GCS_RATE_LIMIT });
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await insertMedia(server.url, 'bkt', 'hot')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect((await insertMedia(server.url, 'bkt', 'other')).status).toBe(200);
    expect((await request(objectUrl(server.url, 'bkt', 'hot'))).status).toBe(200); // reads are not limited
    server.setRateLimit(false);
    expect((await insertMedia(server.url, 'bkt', 'hot')).status).toBe(200);
  });

  it('setting the clock back does not starve the rate limit', async () => {
    await using server = await startServer({ buckets: ['bkt'], rateLimit: { perSecond: 1, burst: 2 } });
    expect((await insertMedia(server.url, 'bkt', 'x')).status).toBe(200);
    server.setClockOffset(-3_600_000);
    expect((await insertMedia(server.url, 'bkt', 'x')).status).toBe(200);
  });

  it('answers 404 for paths outside the API and 405 for unsupported methods', async () => {
    await using server = await startServer({ buckets: ['bkt'] });
    expect((await request(`${server.url}/nope`)).status).toBe(404);
    expect((await request(objectUrl(server.url, 'bkt', 'x'), { method: 'PUT', body: '{}' })).status).toBe(
      405,
    );
  });
});
