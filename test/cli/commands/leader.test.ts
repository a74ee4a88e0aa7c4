import { describe, expect, it } from 'vitest';
import { formatLeader } from '../../../src/cli/commands/leader.js';
import type { Leader } from '../../../src/election/leader.js';
import { node, runCli, startCli, until, UNTIL_ORPHANED } from '../helpers.js';
import { useCliFixture, type LockServer } from '../lock-server.js';

let server: LockServer;
let url: string;
let name: string;
useCliFixture('leader', (fixture) => ({ server, url, name } = fixture));

describe('gcs-lock leader', () => {
  it('says no one leads (exit 1), then who leads (exit 0), for people and as JSON', async () => {
    const none = await runCli(['leader', url, '--endpoint', server.url]);
    expect(none).toMatchObject({ code: 1, stdout: `${url}: no leader\n` });

    const elect = startCli([
      'elect',
      url,
      '--endpoint',
      server.url,
      '--ttl',
      '5s',
      '--candidate',
      'replica-7',
      '--',
      ...node(UNTIL_ORPHANED),
    ]);
    await until(() => server.heldToken(name) !== undefined);
    const human = await runCli(['leader', url, '--endpoint', server.url]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(
      new RegExp(
        `^${url}: replica-7 leads \\(token ${server.heldToken(name)}, since .* ago\\), host .*\\)\\n$`,
      ),
    );
    const json = await runCli(['leader', url, '--endpoint', server.url, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      url,
      leader: { candidate: 'replica-7', token: server.heldToken(name), ttl: 5_000 },
    });
    expect(json.stdout).not.toMatch(/owner/i);
    elect.child.kill('SIGTERM');
    await elect.done;
  });

  it('--watch prints each change of leader, and exits 0 when interrupted', async () => {
    const watch = startCli([
      'leader',
      url,
      '--endpoint',
      server.url,
      '--watch',
      '--interval',
      '100ms',
      '--json',
    ]);
    await watch.waitForOutput('"leader":null', 'stdout');
    const term = await runCli([
      'elect',
      url,
      '--endpoint',
      server.url,
      '--once',
      '--candidate',
      'brief',
      '--',
      ...node('setTimeout(() => {}, 1500)'),
    ]);
    expect(term.code).toBe(0);
    await until(() => watch.stdout.trim().split('\n').length >= 3);
    watch.child.kill('SIGINT');
    const result = await watch.done;
    expect(result.code).toBe(0);
    const leaders = result.stdout
      .trim()
      .split('\n')
      .map(
        (line) => (JSON.parse(line) as { leader: { candidate: string } | null }).leader?.candidate ?? null,
      );
    expect(leaders).toEqual([null, 'brief', null]);
  });

  it('formats a leader with its age and expiry on the server clock', () => {
    const leader = {
      url: 'gs://b/leaders/x',
      candidate: 'r\u00017',
      since: new Date(10_000),
      acquiredAt: new Date(10_000),
      expiresAt: new Date(70_000),
      expiresInMs: 30_000,
      token: '5',
      host: 'box',
      pid: 42,
      description: undefined,
    } as unknown as Leader;
    expect(formatLeader('gs://b/leaders/x', leader)).toBe(
      'gs://b/leaders/x: r\\x017 leads (token 5, since 1970-01-01T00:00:10.000Z (30.0s ago), host box pid 42; its term expires in 30.0s unless refreshed)',
    );
  });
});
