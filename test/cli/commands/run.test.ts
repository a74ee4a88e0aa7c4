import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { node, runCli, startCli, until, UNTIL_ORPHANED, type CliProcess } from '../helpers.js';
import { BUCKET, useCliFixture, withFault, type LockServer } from '../lock-server.js';

let server: LockServer;
let dir: string;
let name: string;
let url: string;
useCliFixture('run', (fixture) => ({ server, dir, name, url } = fixture));

const common = (): string[] => ['--endpoint', server.url, '--ttl', '2s'];
/** A holder that keeps the lock until it is signalled. */
async function holdLock(extra: string[] = []): Promise<CliProcess> {
  const holder = startCli(['run', url, ...common(), ...extra, '--', ...node(UNTIL_ORPHANED)]);
  await until(() => server.object(name) !== undefined);
  return holder;
}

describe('gcs-lock run', () => {
  it('serializes concurrent runs: their critical sections never overlap', async () => {
    const log = join(dir, 'intervals.log');
    const section = `const fs = require('node:fs'); const start = Date.now();
      setTimeout(() => fs.appendFileSync(process.argv[1], start + ' ' + Date.now() + ' ' + process.env.GCS_LOCK_TOKEN + '\\n'), 300);`;
    const runs = [1, 2, 3].map(() => runCli(['run', url, ...common(), '--', ...node(section, log)]));
    const results = await Promise.all(runs);
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    const intervals = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' '))
      .map(([start, end, token]) => ({ start: Number(start), end: Number(end), token: BigInt(token!) }))
      .sort((a, b) => a.start - b.start);
    expect(intervals).toHaveLength(3);
    for (let i = 1; i < intervals.length; i++) {
      expect(intervals[i]!.start).toBeGreaterThanOrEqual(intervals[i - 1]!.end);
      expect(intervals[i]!.token).toBeGreaterThan(intervals[i - 1]!.token);
    }
    expect(server.heldToken(name)).toBeUndefined(); // every run released
  });

  it('gives the command GCS_LOCK_TOKEN and GCS_LOCK_URL, and argv exactly as given (no shell)', async () => {
    const result = await runCli([
      'run',
      url,
      ...common(),
      '--',
      ...node(
        'console.log(JSON.stringify([process.env.GCS_LOCK_URL, process.env.GCS_LOCK_TOKEN, process.argv.slice(1)]))',
        '$HOME',
        'a b',
        '*',
      ),
    ]);
    expect(result.code).toBe(0);
    const [lockUrl, token, argv] = JSON.parse(result.stdout) as [string, string, string[]];
    expect(lockUrl).toBe(url);
    expect(token).toMatch(/^\d+$/);
    expect(argv).toEqual(['$HOME', 'a b', '*']);
  });

  it("exits with the command's status, and 128+N when a signal killed it", async () => {
    expect((await runCli(['run', url, ...common(), '--', ...node('process.exit(42)')])).code).toBe(42);
    expect(
      (await runCli(['run', url, ...common(), '--', ...node("process.kill(process.pid, 'SIGKILL')")])).code,
    ).toBe(137);
    expect(
      (await runCli(['run', url, ...common(), '--', ...node("process.kill(process.pid, 'SIGTERM')")])).code,
    ).toBe(143);
    expect(server.heldToken(name)).toBeUndefined();
  });

  it('exits 127 for a command that does not exist, and releases the lock', async () => {
    const result = await runCli(['run', url, ...common(), '--', 'no-such-command-gcs-lock']);
    expect(result.code).toBe(127);
    expect(result.stderr).toMatch(/command not found: no-such-command-gcs-lock/);
    expect(server.heldToken(name)).toBeUndefined();
  });

  it('-n on a held lock exits with the conflict code without running the command', async () => {
    const holder = await holdLock();
    const marker = join(dir, `${name}.ran`);
    const write = node("require('node:fs').writeFileSync(process.argv[1], 'ran')", marker);
    const plain = await runCli(['run', '-n', url, ...common(), '--', ...write]);
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/is held by .*pid \d+.*not running/);
    const custom = await runCli(['run', '-n', '-E', '7', url, ...common(), '--', ...write]);
    expect(custom.code).toBe(7);
    expect(existsSync(marker)).toBe(false);
    holder.child.kill('SIGTERM');
    expect((await holder.done).code).toBe(143); // forwarded to the command, which died of it
  });

  it('-w gives up after the wait, with the conflict code, without running the command', async () => {
    const holder = await holdLock();
    const marker = join(dir, `${name}.ran`);
    const result = await runCli([
      'run',
      '-w',
      '0.5',
      '-E',
      '9',
      url,
      ...common(),
      '--',
      ...node("require('node:fs').writeFileSync(process.argv[1], '')", marker),
    ]);
    expect(result.code).toBe(9);
    expect(result.stderr).toMatch(/gave up on .* after/);
    expect(existsSync(marker)).toBe(false);
    holder.child.kill('SIGTERM');
    await holder.done;
  });

  it('SIGINT while waiting stops the wait and leaves no lock object behind (exit 130)', async () => {
    const holder = await holdLock();
    const holderGeneration = server.object(name)!.generation;
    const waiter = startCli([
      'run',
      url,
      ...common(),
      '--json',
      '--',
      ...node('console.log("must not run")'),
    ]);
    await waiter.waitForOutput('"event":"contended"');
    waiter.child.kill('SIGINT');
    const result = await waiter.done;
    expect(result.code).toBe(130);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('"event":"interrupted"');
    expect(server.object(name)?.generation).toBe(holderGeneration);
    holder.child.kill('SIGTERM');
    await holder.done;
    expect(server.heldToken(name)).toBeUndefined();
  });

  it('forwards SIGINT/SIGTERM to the running command', async () => {
    const log = join(dir, `${name}.signals`);
    const script = `const fs = require('node:fs');
      process.on('SIGINT', () => fs.appendFileSync(process.argv[1], 'INT\\n'));
      process.on('SIGTERM', () => { fs.appendFileSync(process.argv[1], 'TERM\\n'); process.exit(3); });
      fs.writeFileSync(process.argv[1], ''); ${UNTIL_ORPHANED}`;
    const run = startCli(['run', url, ...common(), '--', ...node(script, log)]);
    await until(() => existsSync(log));
    run.child.kill('SIGINT');
    await until(() => readFileSync(log, 'utf8').includes('INT'));
    run.child.kill('SIGTERM');
    expect((await run.done).code).toBe(3);
    expect(readFileSync(log, 'utf8')).toBe('INT\nTERM\n');
  });

  it('a lost lease (refresh failing by fault injection) terminates the command and exits 75', async () => {
    const marker = join(dir, `${name}.term`);
    const script = `process.on('SIGTERM', () => { require('node:fs').writeFileSync(process.argv[1], 'TERM'); process.exit(0); });
      ${UNTIL_ORPHANED}`;
    const run = startCli(['run', url, ...common(), '--json', '--', ...node(script, marker)]);
    await run.waitForOutput('"event":"child-started"');
    const refreshFails = { kind: 'error', status: 503, ops: ['patch'], object: name } as const;
    const result = await withFault(server, refreshFails, () => run.done);
    expect(result.code).toBe(75);
    expect(readFileSync(marker, 'utf8')).toBe('TERM');
    expect(result.stderr).toContain('"event":"lost"');
    expect(result.stderr).toMatch(/"event":"kill","signal":"SIGTERM"/);
  });

  it('a lost lease (lock object deleted) SIGKILLs a command that ignores SIGTERM, after --kill-grace', async () => {
    const pidFile = join(dir, `${name}.pid`);
    const script = `process.on('SIGTERM', () => {}); require('node:fs').writeFileSync(process.argv[1], String(process.pid));
      ${UNTIL_ORPHANED}`;
    const run = startCli(['run', url, ...common(), '--kill-grace', '200ms', '--', ...node(script, pidFile)]);
    await until(() => existsSync(pidFile) && server.object(name) !== undefined);
    server.engine.deleteObject(BUCKET, name); // as if someone broke the lock
    const result = await run.done;
    expect(result.code).toBe(75);
    expect(result.stderr).toMatch(/sending SIGTERM/);
    expect(result.stderr).toMatch(/sent SIGKILL/);
    expect(() => process.kill(Number(readFileSync(pidFile, 'utf8')), 0)).toThrow();
  });

  it('--json writes one JSON event per line on stderr, without the owner token', async () => {
    const result = await runCli(['run', url, ...common(), '--json', '--', ...node('')]);
    expect(result.code).toBe(0);
    const events = result.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string });
    // A refresh may or may not fall inside the command's run: leave it out, never assert timings.
    const kinds = events.map((e) => e.event).filter((kind) => kind !== 'refreshed');
    expect(kinds).toEqual(['acquired', 'child-started', 'child-exited', 'releasing', 'released']);
    expect(result.stderr).not.toMatch(/owner/i);
  });

  it('refuses an object gcs-lock did not write (65) and reports refused credentials (77), running nothing', async () => {
    server.engine.insertObject(BUCKET, name, {
      data: Buffer.from('x'),
      contentType: 'text/plain',
      metadata: {},
    });
    const foreign = await runCli(['run', url, ...common(), '--', ...node('console.log("ran")')]);
    expect(foreign.code).toBe(65);
    expect(foreign.stderr).toMatch(/not a gcs-lock lock object/);
    expect(foreign.stdout).toBe('');

    const other = `${name}-denied`;
    const rule = server.faults.add({ kind: 'error', status: 403, object: other });
    const denied = await runCli([
      'run',
      `gs://${BUCKET}/${other}`,
      ...common(),
      '--',
      ...node('console.log("ran")'),
    ]);
    server.faults.remove(rule);
    expect(denied.code).toBe(77);
    expect(denied.stderr).toMatch(/roles\/storage.objectUser/);
    expect(denied.stdout).toBe('');
  });

  it('explains usage mistakes with exit 64', async () => {
    const missing = await runCli(['run', url, 'echo', 'hi']);
    expect(missing.code).toBe(64);
    expect(missing.stderr).toContain(`gcs-lock run ${url} -- echo hi`);
    const bad = await runCli(['run', 'gs://Bad_Bucket/x', '--', 'true']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/bucket name "Bad_Bucket"/);
    expect((await runCli(['run', url, '--ttl', 'soon', '--', 'true'])).stderr).toMatch(/30s/);
    expect((await runCli(['run', '-n', '-w', '3', url, '--', 'true'])).code).toBe(64);
  });
});
