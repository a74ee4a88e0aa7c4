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
