import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli, startCli, type CliProcess } from '../helpers.js';

let emulator: CliProcess;
let endpoint: string;
beforeAll(async () => {
  await ensureBuilt();
  emulator = startCli(['emulator', '--port', '0', '--bucket', 'emu-bucket']);
  await emulator.waitForOutput(/export STORAGE_EMULATOR_HOST=\S+\n/, 'stdout');
  endpoint = /export STORAGE_EMULATOR_HOST=(\S+)\n/.exec(emulator.stdout)![1]!;
});
afterAll(() => {
  if (emulator.child.exitCode === null) emulator.child.kill('SIGKILL');
});

describe('gcs-lock emulator', () => {
  it('prints its URL and serves the lock through STORAGE_EMULATOR_HOST', async () => {
    expect(emulator.stdout).toMatch(
      /^gcs-lock emulator listening on http:\/\/127\.0\.0\.1:\d+ with bucket emu-bucket\n/,
    );
    const run = await runCli(
      ['run', 'gs://emu-bucket/x', '--', process.execPath, '-e', 'console.log(process.env.GCS_LOCK_TOKEN)'],
      {
        STORAGE_EMULATOR_HOST: endpoint,
      },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\d+\n$/);
    expect((await runCli(['status', 'gs://emu-bucket/x'], { STORAGE_EMULATOR_HOST: endpoint })).code).toBe(1);
  });

  it('stops cleanly on SIGTERM', async () => {
    emulator.child.kill('SIGTERM');
    const result = await emulator.done;
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/SIGTERM, stopping/);
  });
});

describe('gcs-lock emulator --data-dir', () => {
  it('keeps a lock across a restart (a holder that crashed is still seen)', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dataDir = mkdtempSync(join(tmpdir(), 'gcs-lock-emulator-'));
    const start = async (): Promise<{ emulator: CliProcess; env: Record<string, string> }> => {
      const emulator = startCli([
        'emulator',
        '--port',
        '0',
        '--bucket',
        'kept',
        '--data-dir',
        dataDir,
        '--rate-limit',
      ]);
      await emulator.waitForOutput(/export STORAGE_EMULATOR_HOST=\S+\n/, 'stdout');
      return {
        emulator,
        env: { STORAGE_EMULATOR_HOST: /export STORAGE_EMULATOR_HOST=(\S+)\n/.exec(emulator.stdout)![1]! },
      };
    };

    const first = await start();
    // The command outlives its killed gcs-lock, so it ends by itself.
    const holder = startCli(
      ['run', 'gs://kept/l', '--ttl', '1h', '--', process.execPath, '-e', 'setTimeout(() => {}, 3000)'],
      first.env,
    );
    let status = await runCli(['status', 'gs://kept/l', '--json'], first.env);
    while (status.code !== 0) status = await runCli(['status', 'gs://kept/l', '--json'], first.env);
    const { lock } = JSON.parse(status.stdout) as { lock: { token: string } };
    holder.child.kill('SIGKILL'); // crashed: the lock object stays
    await holder.exited;
    first.emulator.child.kill('SIGINT');
    expect((await first.emulator.done).code).toBe(0);

    const second = await start();
    try {
      const again = await runCli(['status', 'gs://kept/l', '--json'], second.env);
      expect(again.code).toBe(0);
      expect((JSON.parse(again.stdout) as { lock: { token: string } }).lock.token).toBe(lock.token);
    } finally {
      second.emulator.child.kill('SIGTERM');
      await second.emulator.done;
    }
  });
});
