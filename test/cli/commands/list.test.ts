import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantMetadata } from '../../../src/core/lock-object.js';
import { ensureBuilt, runCli } from '../helpers.js';
import { BUCKET, lockServer } from '../lock-server.js';

let server: Awaited<ReturnType<typeof lockServer>>;
beforeAll(async () => {
  await ensureBuilt();
  server = await lockServer();
  const put = (name: string, ttl: number, description?: string, state = 'held'): void => {
    const holder = {
      ownerToken: 'secret-owner',
      ttl,
      refreshInterval: ttl / 4,
      host: 'box',
      pid: 7,
      description,
    };
    server.engine.insertObject(BUCKET, name, {
      data: Buffer.alloc(0),
      contentType: 'application/json',
      metadata: { ...grantMetadata(holder, 5n, false), 'gcs-lock-state': state },
    });
  };
  put('jobs/a', 600_000, 'job a');
  put('jobs/b', 1_000);
  put('jobs/done', 600_000, 'finished', 'released');
  put('other/c', 600_000);
  server.engine.insertObject(BUCKET, 'jobs/readme.txt', {
    data: Buffer.from('x'),
    contentType: 'text/plain',
    metadata: {},
  });
  server.setClockOffset(5_000); // jobs/b's lease has expired, on the server's clock
});
afterAll(async () => server.close());

describe('gcs-lock list', () => {
  it('shows one line per object under the prefix, stale and foreign ones marked', async () => {
    const result = await runCli(['list', `gs://${BUCKET}/jobs/`, '--endpoint', server.url]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^STATE\s+TOKEN\s+EXPIRES IN\s+HOLDER\s+NAME$/);
    expect(lines).toHaveLength(5);
    expect(lines.find((l) => l.endsWith('jobs/a'))).toMatch(/^held .*host box pid 7 \("job a"\)/);
    expect(lines.find((l) => l.endsWith('jobs/b'))).toMatch(/^STALE /);
    expect(lines.find((l) => l.endsWith('jobs/done'))).toMatch(
      /^free +\d+ +- +\(last: host box pid 7 \("finished"\)\)/,
    );
    expect(lines.find((l) => l.endsWith('jobs/readme.txt'))).toMatch(
      /^NOT-A-LOCK .*gcs-lock-version is missing/,
    );
    expect(result.stdout).not.toContain('other/c');
    expect(result.stdout).not.toContain('secret-owner');
  });

  it('--json gives one object per line', async () => {
    const result = await runCli(['list', `gs://${BUCKET}`, '--endpoint', server.url, '--json']);
    const entries = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { name: string; state: string });
    expect(entries.map((e) => [e.name, e.state])).toEqual([
      ['jobs/a', 'held'],
      ['jobs/b', 'stale'],
      ['jobs/done', 'free'],
      ['jobs/readme.txt', 'not-a-lock'],
      ['other/c', 'held'],
    ]);
    expect(result.stdout).not.toContain('secret-owner');
  });

  it('says so when nothing is there', async () => {
    const result = await runCli(['list', `gs://${BUCKET}/nothing/`, '--endpoint', server.url]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/no objects under/);
  });

  it('rejects a URL that is not gs://', async () => {
    const result = await runCli(['list', 's3://bucket', '--endpoint', server.url]);
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(/gs:\/\//);
  });
});
