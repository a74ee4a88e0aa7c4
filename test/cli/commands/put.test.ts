import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuilt, runCli } from '../helpers.js';
import { BUCKET, lockServer } from '../lock-server.js';

let server: Awaited<ReturnType<typeof lockServer>>;
beforeAll(async () => {
  await ensureBuilt();
  server = await lockServer();
});
afterAll(async () => server.close());

const data = (name: string): string | undefined => server.object(name)?.data.toString();

describe('gcs-lock put', () => {
  it('--fenced under gcs-lock run: the command writes through the lock, and the token is recorded', async () => {
    const put = `printf 'report v1' | "${process.execPath}" "${CLI}" put gs://${BUCKET}/out/report - --fenced --endpoint ${server.url}`;
    const result = await runCli([
      'run',
      `gs://${BUCKET}/report-lock`,
      '--endpoint',
      server.url,
      '--',
      'sh',
      '-c',
      put,
    ]);
    expect(result.stderr).toContain(`wrote gs://${BUCKET}/out/report`);
    expect(result.code).toBe(0);
    expect(data('out/report')).toBe('report v1');
    expect(server.object('out/report')?.metadata['gcs-lock-token']).toBe(
      server.object('report-lock')?.metadata['gcs-lock-fence'],
    );
  });

  it('is refused by GCS once the lock changed hands: a paused holder that wakes up exits 75', async () => {
    // A holder's lease, as its command saw it in the environment...
    const first = await runCli([
      'run',
      `gs://${BUCKET}/state-lock`,
      '--endpoint',
      server.url,
      '--',
      'sh',
      '-c',
      'echo "$GCS_LOCK_GENERATION $GCS_LOCK_TOKEN"',
    ]);
    const [generation, token] = first.stdout.trim().split(' ') as [string, string];
    // ...then someone else is granted the lock and writes.
    const file = join(tmpdir(), `gcs-lock-put-${process.pid}`);
    writeFileSync(file, 'fresh');
    const second = await runCli([
      'run',
      `gs://${BUCKET}/state-lock`,
      '--endpoint',
      server.url,
      '--',
      process.execPath,
      CLI,
      'put',
      `gs://${BUCKET}/out/state`,
      file,
      '--fenced',
      '--endpoint',
      server.url,
    ]);
    expect(second.code).toBe(0);
    // The first holder, paused all along, wakes and writes under its old lease: refused, nothing written.
    writeFileSync(file, 'stale');
    const zombie = await runCli(
      ['put', `gs://${BUCKET}/out/state`, file, '--fenced', '--endpoint', server.url],
      {
        GCS_LOCK_URL: `gs://${BUCKET}/state-lock`,
        GCS_LOCK_GENERATION: generation,
        GCS_LOCK_TOKEN: token,
      },
    );
    expect(zombie.code).toBe(75);
    expect(zombie.stderr).toMatch(/refused: the lock changed hands.*nothing was written/);
    expect(data('out/state')).toBe('fresh');
  });

  it('--if-generation-match 0 writes only once; a plain put is one upload', async () => {
    const file = join(tmpdir(), `gcs-lock-put-once-${process.pid}`);
    writeFileSync(file, 'once');
    const args = [
      'put',
      `gs://${BUCKET}/out/once`,
      file,
      '--if-generation-match',
      '0',
      '--endpoint',
      server.url,
      '--json',
    ];
    const created = await runCli(args);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({
      generation: server.object('out/once')?.generation.toString(),
    });
    writeFileSync(file, 'twice');
    const again = await runCli(args);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/did not write .*its generation is not 0/);
    expect(data('out/once')).toBe('once');
  });

  it('refuses --fenced outside gcs-lock run, or into another bucket, naming what is missing', async () => {
    const outside = await runCli(['put', `gs://${BUCKET}/out/x`, '-', '--fenced', '--endpoint', server.url]);
    expect(outside.code).toBe(64);
    expect(outside.stderr).toMatch(/GCS_LOCK_URL, GCS_LOCK_GENERATION and GCS_LOCK_TOKEN are not set/);
    const elsewhere = await runCli(
      ['put', 'gs://other-bucket/x', '-', '--fenced', '--endpoint', server.url],
      {
        GCS_LOCK_URL: `gs://${BUCKET}/lock`,
        GCS_LOCK_GENERATION: '1',
        GCS_LOCK_TOKEN: '1',
      },
    );
    expect(elsewhere.code).toBe(64);
    expect(elsewhere.stderr).toMatch(/must be in the lock's bucket \(cli-test\)/);
  });
});
