import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { node, runCli, startCli, until, UNTIL_ORPHANED, type CliProcess } from '../helpers.js';
import { useCliFixture, type LockServer } from '../lock-server.js';

let server: LockServer;
let dir: string;
let name: string;
let url: string;
useCliFixture('permits', (fixture) => ({ server, dir, name, url } = fixture));

const common = (): string[] => ['--endpoint', server.url, '--ttl', '3s'];

describe('gcs-lock run --permits', () => {
  it('runs at most N commands at once, each told its permit and token', async () => {
    const log = join(dir, `${name}.log`);
    const section = `const fs = require('node:fs'); const start = Date.now();
      setTimeout(() => fs.appendFileSync(process.argv[1], [start, Date.now(), process.env.GCS_LOCK_PERMIT,
        process.env.GCS_LOCK_TOKEN].join(' ') + '\\n'), 400);`;
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        runCli(['run', '--permits', '2', url, ...common(), '--', ...node(section, log)]),
      ),
    );
    expect(results.map((result) => result.code)).toEqual([0, 0, 0, 0, 0]);
    const runs = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' '))
      .map(([start, end, permit, token]) => ({ start: Number(start), end: Number(end), permit, token }));
    expect(runs).toHaveLength(5);
    for (const run of runs) {
      // At the start of each run, at most one other run was inside.
      const inside = runs.filter((other) => other.start <= run.start && other.end > run.start);
      expect(inside.length).toBeLessThanOrEqual(2);
      expect(['0', '1']).toContain(run.permit);
      expect(run.token).toMatch(/^\d+$/);
    }
  });

  it('shows the permits in status and list, and gives up at once with -n when all are held', async () => {
    const holders: CliProcess[] = [0, 1].map(() =>
      startCli(['run', '--permits', '2', url, ...common(), '--', ...node(UNTIL_ORPHANED)]),
    );
    await until(() => [0, 1].every((slot) => server.heldToken(`${name}.slots/${slot}`) !== undefined));

    const full = await runCli(['run', '--permits', '2', '-n', url, ...common(), '--', 'true']);
    expect(full.code).toBe(1);
    expect(full.stderr).toMatch(/not running true/);

    const status = await runCli(['status', url, '--endpoint', server.url]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`^${url}: semaphore, 2 of 2 permits held\\n`));
    expect(status.stdout).toContain(server.heldToken(`${name}.slots/1`));
    const json = JSON.parse((await runCli(['status', url, '--endpoint', server.url, '--json'])).stdout) as {
      state: string;
      semaphore: { limit: number; held: number };
      permits: Array<{ slot: number; state: string }>;
    };
    expect(json).toMatchObject({ state: 'full', semaphore: { limit: 2, held: 2 } });
    expect(json.permits.map((permit) => permit.state)).toEqual(['held', 'held']);

    const list = await runCli(['list', `${url}`, '--endpoint', server.url]);
    expect(list.stdout).toMatch(new RegExp(`SEMAPHORE .* 2 permits +${name}\\n`));
    expect(list.stdout).toMatch(new RegExp(`held .* ${name}\\.slots/0\\n`));

    for (const holder of holders) holder.child.kill('SIGTERM');
    await Promise.all(holders.map((holder) => holder.done));
    const free = await runCli(['status', url, '--endpoint', server.url]);
    expect(free.code).toBe(1);
  });

  it('refuses another limit, naming both, and a bad --permits', async () => {
    expect((await runCli(['run', '--permits', '2', url, ...common(), '--', 'true'])).code).toBe(0);
    const other = await runCli(['run', '--permits', '3', url, ...common(), '--', 'true']);
    expect(other.code).toBe(64);
    expect(other.stderr).toMatch(/a semaphore of 2 permits .* given limit 3/);
    const lock = await runCli(['run', url, ...common(), '--', 'true']);
    expect(lock.code).toBe(65);
    expect(lock.stderr).toContain("it is a semaphore's header");
    const bad = await runCli(['run', '--permits', '0', url, '--', 'true']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain(
      '--permits "0" is not a number of permits: use a whole number from 1 to 1000',
    );
  });
});
