/**
 * `gcs-lock run` at the edges of its lease: the kill grace fits in the loss margin (a waiter never
 * runs while the old command still does), and a release that storage does not answer neither keeps
 * gcs-lock up nor passes for a success.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureBuilt, startCli, until } from '../helpers.js';
import { BUCKET, lockServer } from '../lock-server.js';

let server: Awaited<ReturnType<typeof lockServer>>;
let dir: string;
let n = 0;
let name: string;
let url: string;

beforeAll(async () => {
  await ensureBuilt();
  server = await lockServer();
  dir = mkdtempSync(join(tmpdir(), 'gcs-lock-release-'));
});
afterAll(async () => server.close());
beforeEach(() => {
  name = `edge-${++n}`;
  url = `gs://${BUCKET}/${name}`;
});

const node = (script: string, ...args: string[]): string[] => [process.execPath, '-e', script, ...args];

describe('gcs-lock run: the kill grace and the loss margin', () => {
  it('with the default --kill-grace, a command that ignores SIGTERM is dead before a waiter takes over', async () => {
    const alive = join(dir, `${name}.alive`);
    const started = join(dir, `${name}.started`);
    // The old holder's command ignores SIGTERM and says "still running" every 10 ms.
    const stubborn = `process.on('SIGTERM', () => {});
      setInterval(() => require('node:fs').appendFileSync(process.argv[1], Date.now() + '\\n'), 10);`;
    const common = ['--endpoint', server.url, '--ttl', '5s', '--json'];
    const holder = startCli(['run', url, ...common, '--', ...node(stubborn, alive)]);
    await holder.waitForOutput('"event":"child-started"');
    const waiter = startCli([
      'run',
      url,
      ...common,
      '--',
      ...node("require('node:fs').writeFileSync(process.argv[1], String(Date.now()))", started),
    ]);
    await waiter.waitForOutput('"event":"contended"');
    // The holder's refreshes fail from now on: it declares its loss at ttl - margin, a waiter takes
    // over at ttl (on the server's clock).
    const rule = server.faults.add({ kind: 'error', status: 503, ops: ['patch'], object: name });
    try {
      await holder.exited;
      expect(holder.child.exitCode).toBe(75);
      expect(holder.stderr).toContain('"event":"kill","signal":"SIGKILL"');
      expect((await waiter.done).code).toBe(0);
    } finally {
      server.faults.remove(rule);
    }
    const lastAlive = Math.max(...readFileSync(alive, 'utf8').trim().split('\n').map(Number));
    expect(lastAlive).toBeLessThan(Number(readFileSync(started, 'utf8')));
  });
});

describe('gcs-lock run: releasing', () => {
  it('when storage fails the release, says the lock is left to expire, and when, and exits 74', async () => {
    const run = startCli(['run', url, '--endpoint', server.url, '--ttl', '2s', '--', ...node('')]);
    const rule = server.faults.add({ kind: 'error', status: 503, ops: ['delete'], object: name });
    try {
      const result = await run.done;
      expect(result.code).toBe(74);
      expect(result.stderr).toMatch(
        /could not release gs:\/\/\S+ .*left to expire.*\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z \(in /,
      );
      expect(result.stderr.match(/left to expire/g)).toHaveLength(1);
    } finally {
      server.faults.remove(rule);
    }
  });

  it("the command's own failure wins over a lock left to expire", async () => {
    const rule = server.faults.add({ kind: 'error', status: 503, ops: ['delete'], object: name });
    try {
      const run = startCli([
        'run',
        url,
        '--endpoint',
        server.url,
        '--ttl',
        '2s',
        '--',
        ...node('process.exit(3)'),
      ]);
      expect((await run.done).code).toBe(3);
    } finally {
      server.faults.remove(rule);
    }
  });

  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s cuts short a release that storage does not answer (--ttl 1h), leaving the lock to expire',
    async (signal) => {
      // Every delete hangs: without the signal, a release could wait for most of an hour.
      const rule = server.faults.add({ kind: 'stall', ops: ['delete'], object: name, stallMs: 3_600_000 });
      try {
        const run = startCli([
          'run',
          url,
          '--endpoint',
          server.url,
          '--ttl',
          '1h',
          '--json',
          '--',
          ...node(''),
        ]);
        await run.waitForOutput('"event":"releasing"');
        await until(() => server.faults.delivered.stall > 0);
        run.child.kill(signal);
        const result = await run.done;
        expect(result.code).toBe(74);
        expect(result.stderr).toContain(`"event":"left-to-expire","reason":"interrupted by ${signal}"`);
        expect(server.object(name)).toBeDefined();
      } finally {
        server.faults.remove(rule);
      }
    },
  );
});
