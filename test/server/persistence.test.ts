import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOG_FILE } from '../../src/server/persistence.js';
import { ControlClient } from '../../src/server/control-client.js';
import { startServer } from '../../src/server/start-server.js';
import { insertMedia, objectUrl, patchMetadata, request } from './support.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'gcs-lock-persist-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('persistence', () => {
  it('state survives a restart: objects, generations, metagenerations, metadata, data and buckets', async () => {
    const first = await startServer({ buckets: ['keep'], dataDir });
    const kept = await insertMedia(first.url, 'keep', 'dir/kept ☃', 'payload');
    const patched = await patchMetadata(first.url, 'keep', 'dir/kept ☃', { owner: 'me' });
    await insertMedia(first.url, 'keep', 'gone');
    await request(objectUrl(first.url, 'keep', 'gone'), { method: 'DELETE' });
    await request(`${first.url}/storage/v1/b?project=p`, {
      method: 'POST',
      body: JSON.stringify({ name: 'made-later' }),
    });
    await first.close();
    expect(await readdir(dataDir)).toEqual([LOG_FILE]); // no temporary file left behind

    await using second = await startServer({ buckets: ['keep'], dataDir });
    const after = await request(objectUrl(second.url, 'keep', 'dir/kept ☃'));
    expect(after.json).toMatchObject({
      generation: kept.json.generation,
      metageneration: '2',
      metadata: { owner: 'me' },
      updated: patched.json.updated,
    });
    expect((await request(objectUrl(second.url, 'keep', 'dir/kept ☃', 'alt=media'))).text).toBe('payload');
    expect((await request(objectUrl(second.url, 'keep', 'gone'))).status).toBe(404);
    expect((await request(`${second.url}/storage/v1/b/made-later`)).status).toBe(200);
    // A stale holder's precondition still pins the old generation.
    expect(
      (await insertMedia(second.url, 'keep', 'dir/kept ☃', 'y', { ifGenerationMatch: '0' })).status,
    ).toBe(412);
  });

  it('never reuses a generation after a restart, even with the clock set back', async () => {
    const first = await startServer({ buckets: ['gen'], dataDir });
    const gone = await insertMedia(first.url, 'gen', 'x');
    await request(objectUrl(first.url, 'gen', 'x'), { method: 'DELETE' });
    await first.close();

    await using second = await startServer({ buckets: ['gen'], dataDir, clockOffsetMs: -86_400_000 });
    const fresh = await insertMedia(second.url, 'gen', 'x');
    expect(BigInt(fresh.json.generation as string)).toBeGreaterThan(BigInt(gone.json.generation as string));
  });

  it('keeps noncurrent versions and bucket settings across a restart', async () => {
    const bucket = { name: 'vers', versioning: true, deniedPermissions: ['storage.objects.list'] };
    const first = await startServer({ buckets: [bucket], dataDir });
    const old = await insertMedia(first.url, 'vers', 'x', 'old');
    await insertMedia(first.url, 'vers', 'x', 'new');
    await request(`${first.url}/storage/v1/b/vers`, { method: 'PATCH', body: '{"labels":{"a":"b"}}' });
    await first.close();

    await using second = await startServer({ dataDir });
    const query = `generation=${old.json.generation as string}&alt=media`;
    expect((await request(objectUrl(second.url, 'vers', 'x', query))).text).toBe('old');
    expect(second.engine.getBucket('vers').settings).toMatchObject({
      versioning: true,
      labels: { a: 'b' },
      deniedPermissions: ['storage.objects.list'],
    });
  });

  it('without dataDir nothing is written and a restart starts empty', async () => {
    const first = await startServer({ buckets: ['mem'] });
    await insertMedia(first.url, 'mem', 'x');
    await first.close();
    await using second = await startServer({ buckets: ['mem'] });
    expect((await request(objectUrl(second.url, 'mem', 'x'))).status).toBe(404);
    expect(await readdir(dataDir)).toEqual([]);
  });

  it('close() rejects when the state could not be saved, and health says so meanwhile', async () => {
    const ignore = (): void => undefined;
    process.on('warning', ignore);
    try {
      const server = await startServer({ buckets: ['kept'], dataDir });
      await insertMedia(server.url, 'kept', 'x');
      await rm(dataDir, { recursive: true, force: true }); // the disk goes away under the server
      server.reset(); // a reset rewrites the whole log: into a directory that is gone
      const control = new ControlClient(server.url);
      let health = await control.health();
      while (health.ok) health = await control.health();
      expect(health).toMatchObject({
        ok: false,
        persistence: expect.stringMatching(/could not save/) as unknown,
      });
      await expect(server.close()).rejects.toThrow(/could not save its state .*ENOENT/);
    } finally {
      process.off('warning', ignore);
    }
  });
});
