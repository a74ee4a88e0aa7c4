import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli, startCli, until, UNTIL_ORPHANED } from '../helpers.js';
import { BUCKET, lockServer } from '../lock-server.js';

let server: Awaited<ReturnType<typeof lockServer>>;
beforeAll(async () => {
  await ensureBuilt();
  server = await lockServer();
});
afterAll(async () => server.close());

const url = (name: string): string => `gs://${BUCKET}/${name}`;

describe('gcs-lock status', () => {
  it('says free and exits 1 when there is no lock', async () => {
    const result = await runCli(['status', url('nobody'), '--endpoint', server.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(`${url('nobody')}: free\n`);
  });

  it('shows the holder and exits 0 while the lock is held; --json has the same facts', async () => {
    const holder = startCli([
      'run',
      url('held'),
      '--endpoint',
      server.url,
      '--ttl',
      '30s',
      '--description',
      'nightly report',
      '--',
      process.execPath,
      '-e',
      UNTIL_ORPHANED,
    ]);
    await until(() => server.object('held') !== undefined);
    const token = server.heldToken('held')!;

    const human = await runCli(['status', url('held'), '--endpoint', server.url]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/: held\n/);
    expect(human.stdout).toMatch(/description:\s+nightly report/);
    expect(human.stdout).toMatch(/pid:\s+\d+/);
    expect(human.stdout).toMatch(/expires in:\s+\S+/);
    expect(human.stdout).toContain(`token:       ${token}`);

    const json = await runCli(['status', url('held'), '--endpoint', server.url, '--json']);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as {
      state: string;
      lock: { token: string; description: string; ttl: number };
    };
    expect(parsed).toMatchObject({
      state: 'held',
      lock: { token, description: 'nightly report', ttl: 30_000 },
    });
    expect(json.stdout).not.toMatch(/owner/i);

    holder.child.kill('SIGTERM');
    await holder.done;
  });

  it('says stale and exits 2 once the server clock passes the expiry', async () => {
    const holder = startCli([
      'run',
      url('stale'),
      '--endpoint',
      server.url,
      '--ttl',
      '30s',
      '--',
      process.execPath,
      '-e',
      'setTimeout(() => {}, 3000)',
    ]);
    await until(() => server.object('stale') !== undefined);
    // A crashed holder: nothing released. Its command outlives it, and ends by itself.
    holder.child.kill('SIGKILL');
    await holder.exited;
    server.setClockOffset(120_000);
    try {
      const result = await runCli(['status', url('stale'), '--endpoint', server.url]);
      expect(result.code).toBe(2);
      expect(result.stdout).toMatch(/STALE/);
    } finally {
      server.setClockOffset(0);
    }
  });

  it('exits 65 for an object gcs-lock did not write', async () => {
    server.engine.insertObject(BUCKET, 'foreign', {
      data: Buffer.from('hi'),
      contentType: 'text/plain',
      metadata: {},
    });
    const result = await runCli(['status', url('foreign'), '--endpoint', server.url]);
    expect(result.code).toBe(65);
    expect(result.stderr).toMatch(/not a gcs-lock lock object/);
  });

  it('exits 69 with a hint when the bucket does not exist', async () => {
    const result = await runCli(['status', 'gs://no-such-bucket/x', '--endpoint', server.url]);
    expect(result.code).toBe(69);
    expect(result.stderr).toMatch(/bucket/i);
  });
});
