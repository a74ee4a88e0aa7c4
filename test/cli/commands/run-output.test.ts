/**
 * What `gcs-lock run` says where people look: a CI log (no terminal) gets plain lines while it waits,
 * failing or silent storage is reported within seconds, and text written by others (a holder's
 * description) cannot drive the operator's terminal.
 */
import { describe, expect, it } from 'vitest';
import { node, runCli, startCli, until, UNTIL_ORPHANED, type CliProcess } from '../helpers.js';
import { BUCKET, useCliFixture, withFault, type LockServer } from '../lock-server.js';

let server: LockServer;
let name: string;
let url: string;
useCliFixture('out', (fixture) => ({ server, name, url } = fixture));

const common = (): string[] => ['--endpoint', server.url, '--ttl', '2s'];
const EVIL = 'deploy\x1b[2J\x1b]0;owned\x07\nreleased\u202e';

async function holdLock(description: string): Promise<CliProcess> {
  const holder = startCli([
    'run',
    url,
    ...common(),
    '--description',
    description,
    '--',
    ...node(UNTIL_ORPHANED),
  ]);
  await until(() => server.object(name) !== undefined);
  return holder;
}

describe('gcs-lock run without a terminal (CI)', () => {
  it('says once that it waits (who, since when, until when) and once that it acquired', async () => {
    const holder = await holdLock('deploy 42');
    const waiter = startCli(['run', url, ...common(), '--', ...node('')]);
    await waiter.waitForOutput(/waiting for/);
    holder.child.kill('SIGTERM');
    await holder.done;
    const result = await waiter.done;
    expect(result.code).toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(
        `^gcs-lock: waiting for ${url}: held by host \\S+ pid \\d+ \\("deploy 42"\\), token \\d+, ` +
          'since \\d{4}-\\S+Z \\(\\S+ ago\\); its lease expires at \\d{4}-\\S+Z \\(in \\S+\\) unless refreshed$',
      ),
    );
    expect(lines.at(-1)).toMatch(new RegExp(`^gcs-lock: acquired ${url} after \\S+ \\(token \\d+\\)$`));
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    expect(result.stderr).not.toMatch(/\r|\x1b/); // no status line in a log
  });

  it('-q silences the progress lines', async () => {
    const holder = await holdLock('deploy 43');
    const waiter = startCli(['run', '-q', url, ...common(), '--json', '--', ...node('')]);
    await waiter.waitForOutput('"event":"contended"');
    const quiet = startCli(['run', '-q', url, ...common(), '--', ...node('')]);
    holder.child.kill('SIGTERM');
    await holder.done;
    await waiter.done;
    expect((await quiet.done).stderr).toBe('');
  });

  it('an uncontended run says nothing at all', async () => {
    const result = await runCli(['run', url, ...common(), '--', ...node('')]);
    expect(result.stderr).toBe('');
  });
});

describe('gcs-lock run when storage does not answer', () => {
  it('says so within seconds when the first request hangs, naming the endpoint', async () => {
    const stall = { kind: 'stall', ops: ['insert'], object: name, stallMs: 60_000 } as const;
    await withFault(server, stall, async () => {
      const run = startCli(['run', url, ...common(), '--request-timeout', '3s', '--', ...node('')]);
      await run.waitForOutput(
        new RegExp(`no answer from storage at ${server.url} after 2\\.0s; still trying`),
      );
      run.child.kill('SIGINT');
      expect((await run.done).code).toBe(130);
      const json = startCli([
        'run',
        url,
        ...common(),
        '--request-timeout',
        '3s',
        '--json',
        '--',
        ...node(''),
      ]);
      await json.waitForOutput(`"event":"no-answer-yet","endpoint":"${server.url}","afterMs":2000`);
      json.child.kill('SIGINT');
      await json.done;
    });
  });

  it('says once what it retries when storage fails (not one line per retry)', async () => {
    await withFault(server, { kind: 'error', status: 503, ops: ['insert'], object: name }, async () => {
      const run = startCli(['run', url, ...common(), '--', ...node('')]);
      await run.waitForOutput(/storage is failing, retrying: POST gs:\/\/\S+: HTTP 503.*; next attempt in/);
      // Several retries later, still one line.
      await until(() => server.faults.delivered.error >= 4);
      expect(run.stderr.match(/retrying/g)).toHaveLength(1);
      run.child.kill('SIGINT');
      await run.done;
    });
  });
});

describe('text from others reaches the terminal inert', () => {
  it('escapes control characters in a holder description: status, list, run', async () => {
    const holder = await holdLock(EVIL);
    const escaped = 'deploy\\x1b[2J\\x1b]0;owned\\x07\\nreleased\\u{202e}';
    const status = await runCli(['status', url, '--endpoint', server.url]);
    expect(status.stdout).toContain(`description: ${escaped}`);
    const list = await runCli(['list', `gs://${BUCKET}/${name}`, '--endpoint', server.url]);
    expect(list.stdout).toContain(escaped);
    const conflict = await runCli(['run', '-n', url, ...common(), '--', ...node('')]);
    expect(conflict.stderr).toContain(escaped);
    const waiter = startCli(['run', url, ...common(), '--', ...node('')]);
    await waiter.waitForOutput(/waiting for/);
    for (const output of [status.stdout, list.stdout, conflict.stderr, waiter.stderr]) {
      // eslint-disable-next-line no-control-regex -- looking for control characters is the point
      expect(output).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]/);
    }
    holder.child.kill('SIGTERM');
    await holder.done;
    await waiter.done;
  });
});
