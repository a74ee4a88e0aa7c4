import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli, startCli, until, UNTIL_ORPHANED } from '../helpers.js';
import { BUCKET, lockServer } from '../lock-server.js';

let server: Awaited<ReturnType<typeof lockServer>>;
beforeAll(async () => {
  await ensureBuilt();
  server = await lockServer();
});
afterAll(async () => server.close());

describe('gcs-lock break', () => {
  it('refuses without --token', async () => {
    const result = await runCli(['break', `gs://${BUCKET}/x`, '--endpoint', server.url]);
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(/refusing to break .* without --token.*gcs-lock status/s);
  });

  it('changes nothing with a wrong token; ends exactly that lease with the right one', async () => {
    const url = `gs://${BUCKET}/victim`;
    const holder = startCli([
      'run',
      url,
      '--endpoint',
      server.url,
      '--ttl',
      '2s',
      '--',
      process.execPath,
      '-e',
      UNTIL_ORPHANED,
    ]);
    await until(() => server.heldToken('victim') !== undefined);
    const token = server.heldToken('victim')!;
    const wrong = (BigInt(token) - 1n).toString();

    const refused = await runCli(['break', url, '--token', wrong, '--endpoint', server.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/nothing changed/);
    expect(refused.stderr).toContain(`token ${token}`); // what is there now
    expect(server.heldToken('victim')).toBe(token);

    const notANumber = await runCli(['break', url, '--token', 'latest', '--endpoint', server.url]);
    expect(notANumber.code).toBe(64);
    expect(server.heldToken('victim')).toBe(token);

    // Its holder refreshes every 0.5 s: alive, so not broken without --force.
    const live = await runCli(['break', url, '--token', token, '--endpoint', server.url]);
    expect(live.code).toBe(1);
    expect(live.stderr).toMatch(/is alive.*--force/s);
    expect(server.heldToken('victim')).toBe(token);

    const broken = await runCli(['break', url, '--token', token, '--force', '--endpoint', server.url]);
    expect(broken.code).toBe(0);
    expect(server.heldToken('victim')).toBeUndefined();
    expect(server.object('victim')?.metadata['gcs-lock-state']).toBe('released');
    // The holder learns at its next refresh: its command is terminated and it exits 75.
    expect((await holder.done).code).toBe(75);
  });

  it('says there is no lock when it is gone already', async () => {
    const result = await runCli([
      'break',
      `gs://${BUCKET}/gone`,
      '--token',
      '123',
      '--endpoint',
      server.url,
      '--json',
    ]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      url: `gs://${BUCKET}/gone`,
      broken: false,
      status: 'not-found',
    });
  });
});
