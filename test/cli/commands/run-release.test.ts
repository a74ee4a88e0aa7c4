/**
 * `gcs-lock run` at the edges of its lease: the kill grace fits in the loss margin (a waiter never
 * runs while the old command still does), and a release that storage does not answer neither keeps
 * gcs-lock up nor passes for a success.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { node, startCli, until } from '../helpers.js';
import { useCliFixture, withFault, type LockServer } from '../lock-server.js';

let server: LockServer;
let dir: string;
let name: string;
let url: string;
useCliFixture('edge', (fixture) => ({ server, dir, name, url } = fixture));

/** `gcs-lock run URL --endpoint ... --ttl TTL [extra] -- node -e SCRIPT`. */
const run = (ttl: string, script: string, ...extra: string[]): ReturnType<typeof startCli> =>
  startCli(['run', url, '--endpoint', server.url, '--ttl', ttl, ...extra, '--', ...node(script)]);

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
    await withFault(server, { kind: 'error', status: 503, ops: ['patch'], object: name }, async () => {
      await holder.exited;
      expect(holder.child.exitCode).toBe(75);
      expect(holder.stderr).toContain('"event":"kill","signal":"SIGKILL"');
    });
    // (Its own release may meet the same fault, and leave the lock to expire: not what is tested.)
    await waiter.done;
    const lastAlive = Math.max(...readFileSync(alive, 'utf8').trim().split('\n').map(Number));
    expect(lastAlive).toBeLessThan(Number(readFileSync(started, 'utf8')));
  });
});

describe('gcs-lock run: releasing', () => {
  // Protocol 0.2 releases with a metadata patch (the object stays, marked released).
  const releaseFails = { kind: 'error', status: 503, ops: ['patch'] } as const;

  it('when storage fails the release, says the lock is left to expire, and when, and exits 74', async () => {
    const result = await withFault(server, { ...releaseFails, object: name }, () => run('2s', '').done);
    expect(result.code).toBe(74);
    expect(result.stderr).toMatch(/could not release .*left to expire.*\(at \d{4}-\d\d-\d\dT[\d:.]+Z\)$/m);
    expect(result.stderr.match(/left to expire/g)).toHaveLength(1);
  });

  it("the command's own failure wins over a lock left to expire", async () => {
    const result = await withFault(
      server,
      { ...releaseFails, object: name },
      () => run('2s', 'process.exit(3)').done,
    );
    expect(result.code).toBe(3);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s cuts short a release that storage does not answer (--ttl 1h), leaving the lock to expire',
    async (signal) => {
      // Every delete hangs: without the signal, a release could wait for most of an hour.
      const stall = { kind: 'stall', ops: ['patch'], object: name, stallMs: 3_600_000 } as const;
      const result = await withFault(server, stall, async () => {
        const holder = run('1h', '', '--json');
        await holder.waitForOutput('"event":"releasing"');
        await until(() => server.faults.delivered.stall > 0);
        holder.child.kill(signal);
        return holder.done;
      });
      expect(result.code).toBe(74);
      expect(result.stderr).toContain(`"event":"left-to-expire","reason":"interrupted by ${signal}"`);
      expect(server.heldToken(name)).toBeDefined();
    },
  );
});
