import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { node, runCli, startCli, until, UNTIL_ORPHANED } from '../helpers.js';
import { BUCKET, useCliFixture, type LockServer } from '../lock-server.js';

let server: LockServer;
let dir: string;
let name: string;
let url: string;
useCliFixture('elect', (fixture) => ({ server, dir, name, url } = fixture));

const common = (): string[] => ['--endpoint', server.url, '--ttl', '2s'];

/** The JSON-lines events an `elect --json` wrote to stderr. */
const events = (stderr: string): Array<{ event: string; [key: string]: unknown }> =>
  stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { event: string });

describe('gcs-lock elect', () => {
  it('runs the command only while leading: terms never overlap, tokens grow, --once exits with its status', async () => {
    const log = join(dir, `${name}.log`);
    const term = `const fs = require('node:fs'); const start = Date.now();
      setTimeout(() => { fs.appendFileSync(process.argv[1], [start, Date.now(), process.env.GCS_LOCK_TOKEN,
        process.env.GCS_LOCK_CANDIDATE].join(' ') + '\\n'); process.exit(7); }, 300);`;
    const results = await Promise.all(
      ['a', 'b', 'c'].map((candidate) =>
        runCli(['elect', url, ...common(), '--once', '--candidate', candidate, '--', ...node(term, log)]),
      ),
    );
    expect(results.map((result) => result.code)).toEqual([7, 7, 7]);
    const terms = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' '))
      .map(([start, end, token, candidate]) => ({
        start: Number(start),
        end: Number(end),
        token: BigInt(token!),
        candidate,
      }))
      .sort((a, b) => a.start - b.start);
    expect(terms.map((t) => t.candidate).sort()).toEqual(['a', 'b', 'c']);
    for (let i = 1; i < terms.length; i++) {
      expect(terms[i]!.start).toBeGreaterThanOrEqual(terms[i - 1]!.end);
      expect(terms[i]!.token).toBeGreaterThan(terms[i - 1]!.token);
    }
    expect(server.heldToken(name)).toBeUndefined();
  });

  it('stops the command when the term is lost, leads again, and resigns on SIGTERM', async () => {
    const elect = startCli([
      'elect',
      url,
      ...common(),
      '--json',
      '--backoff',
      '100ms',
      '--',
      ...node(UNTIL_ORPHANED),
    ]);
    await elect.waitForOutput('"event":"child-started"');
    const first = server.heldToken(name)!;
    // Someone deletes the election object: the leader's next refresh answers 404.
    server.engine.deleteObject(BUCKET, name);
    await until(() => events(elect.stderr).filter((e) => e.event === 'leading').length === 2);
    const second = server.heldToken(name)!;
    expect(BigInt(second)).not.toBe(BigInt(first));
    elect.child.kill('SIGTERM');
    const result = await elect.done;
    // The command was ended by the SIGTERM passed on to it: its status is elect's.
    expect(result.code).toBe(143);
    const kinds = events(result.stderr).map((e) => e.event);
    expect(kinds.filter((kind) => kind === 'lost')).toHaveLength(1);
    expect(kinds).toContain('term-ended');
    expect(kinds.filter((kind) => kind === 'child-started')).toHaveLength(2);
    expect(server.heldToken(name)).toBeUndefined();
  });

  it('stops campaigning on SIGINT with nothing acquired, while another leads', async () => {
    const leader = startCli([
      'elect',
      url,
      ...common(),
      '--candidate',
      'first',
      '--',
      ...node(UNTIL_ORPHANED),
    ]);
    await until(() => server.heldToken(name) !== undefined);
    const token = server.heldToken(name);
    const follower = startCli(['elect', url, ...common(), '--candidate', 'second', '--', 'true']);
    await follower.waitForOutput('waiting for');
    follower.child.kill('SIGINT');
    const result = await follower.done;
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/interrupted by SIGINT while campaigning .*; not leading/);
    expect(server.heldToken(name)).toBe(token);
    leader.child.kill('SIGTERM');
    await leader.done;
  });

  it('says what is wrong with its command line', async () => {
    const missing = await runCli(['elect', url, '--endpoint', server.url, 'true']);
    expect(missing.code).toBe(64);
    expect(missing.stderr).toContain('elect: put -- before the command');
    const candidate = await runCli(['elect', url, '--candidate', '', '--', 'true']);
    expect(candidate.code).toBe(64);
    expect(candidate.stderr).toContain('candidate must be a string of 1 to 256 characters');
    const backoff = await runCli(['elect', url, '--backoff', 'soon', '--', 'true']);
    expect(backoff.code).toBe(64);
    expect(backoff.stderr).toContain('--backoff "soon" is not a duration');
  });
});
