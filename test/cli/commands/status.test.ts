import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatStatus } from '../../../src/cli/commands/status.js';
import type { LockInfo } from '../../../src/core/lock-info.js';
import { ensureBuilt, runCli, startCli, until, UNTIL_ORPHANED } from '../helpers.js';
import { BUCKET, lockServer, withFault } from '../lock-server.js';

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

  it('exits 69 with one hint (not two) when the bucket does not exist', async () => {
    const result = await runCli(['status', 'gs://no-such-bucket/x', '--endpoint', server.url]);
    expect(result.code).toBe(69);
    expect(result.stderr).toMatch(/bucket "no-such-bucket" does not exist: create it/);
    expect(result.stderr).not.toMatch(/Does the bucket exist/);
  });

  it('--json uses the keys of list --json for the same facts', async () => {
    const holder = startCli([
      'run',
      url('keys'),
      '--endpoint',
      server.url,
      '--',
      process.execPath,
      '-e',
      UNTIL_ORPHANED,
    ]);
    await until(() => server.object('keys') !== undefined);
    const status = JSON.parse(
      (await runCli(['status', url('keys'), '--endpoint', server.url, '--json'])).stdout,
    ) as Record<string, unknown>;
    const listed = JSON.parse(
      (await runCli(['list', url('keys'), '--endpoint', server.url, '--json'])).stdout,
    ) as Record<string, unknown>;
    expect(Object.keys(status).sort()).toEqual(['lock', 'name', 'state', 'url']);
    expect(Object.keys(listed).sort()).toEqual(Object.keys(status).sort());
    expect(listed).toMatchObject({ url: status['url'], name: 'keys', state: 'held' });
    expect((listed['lock'] as { token: string }).token).toBe((status['lock'] as { token: string }).token);
    holder.child.kill('SIGTERM');
    await holder.done;
  });

  it('an endpoint without a scheme is an error that names the fix (exit 78)', async () => {
    const option = await runCli(['status', url('x'), '--endpoint', 'localhost:4443']);
    expect(option.code).toBe(78);
    expect(option.stderr).toContain('endpoint "localhost:4443" has no scheme: write "http://localhost:4443"');
    const env = await runCli(['status', url('x')], { STORAGE_EMULATOR_HOST: '127.0.0.1:4443' });
    expect(env.code).toBe(78);
    expect(env.stderr).toContain(
      'STORAGE_EMULATOR_HOST "127.0.0.1:4443" has no scheme: write "http://127.0.0.1:4443"',
    );
  });

  it('--request-timeout bounds each request', async () => {
    const stall = { kind: 'stall', ops: ['get'], object: 'slow', stallMs: 60_000 } as const;
    const args = ['status', url('slow'), '--endpoint', server.url, '--request-timeout', '300ms'];
    const result = await withFault(server, stall, () => runCli(args));
    expect(result.code).toBe(69);
    expect(result.stderr).toMatch(/GET gs:\/\/cli-test\/slow: no /);
  });

  it('never prints a negative age, when the server clock (whole seconds) reads before the lease (ms)', () => {
    const info = {
      url: url('x'),
      token: '17',
      generation: '1714557600000000',
      host: 'box',
      pid: 1,
      description: undefined,
      candidate: undefined,
      ttl: 60_000,
      refreshInterval: 15_000,
      acquiredAt: new Date('2024-05-01T10:00:00.700Z'),
      refreshedAt: new Date('2024-05-01T10:00:00.700Z'),
      expiresAt: new Date('2024-05-01T10:01:00.700Z'),
      expiresInMs: 60_700, // read at 10:00:00.000 on the server's clock
      expired: false,
    } satisfies LockInfo;
    const text = formatStatus(url('x'), 'held', info);
    expect(text).toMatch(/since: +2024-05-01T10:00:00.700Z \(0ms ago\)/);
    expect(text).not.toMatch(/\(-/);
  });
});
