import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { describeHolder, LOG_INTERVAL_MS, WaitProgress } from '../../src/cli/wait-progress.js';
import type { LockInfo } from '../../src/core/lock-info.js';

function stream(isTTY: boolean): PassThrough & NodeJS.WriteStream {
  const s = new PassThrough() as PassThrough & NodeJS.WriteStream;
  s.isTTY = isTTY;
  s.columns = 400;
  return s;
}
const lines = (s: PassThrough): string[] =>
  String(s.read() ?? '')
    .split('\n')
    .filter(Boolean);

// The server's clock read 10:00:30.000; the lease was taken at 10:00:00.000 and expires at 10:01:00.
const holder: LockInfo = {
  url: 'gs://b/o',
  token: '17',
  generation: '1714557600000000',
  host: 'box',
  pid: 42,
  description: 'deploy',
  candidate: undefined,
  ttl: 60_000,
  refreshInterval: 15_000,
  acquiredAt: new Date('2024-05-01T10:00:00.000Z'),
  refreshedAt: new Date('2024-05-01T10:00:00.000Z'),
  expiresAt: new Date('2024-05-01T10:01:00.000Z'),
  expiresInMs: 30_000,
  expired: false,
};

describe('WaitProgress in a log (no terminal)', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] }));
  afterEach(() => vi.useRealTimers());

  it('one line when the wait starts, one every 30 s, one on acquiring', () => {
    const out = stream(false);
    const progress = new WaitProgress(out, 'gs://b/o', { enabled: true });
    progress.contended(holder);
    expect(lines(out)).toEqual([
      'gcs-lock: waiting for gs://b/o: held by host box pid 42 ("deploy"), token 17, since 2024-05-01T10:00:00.000Z (30.0s ago); its lease expires at 2024-05-01T10:01:00.000Z (in 30.0s) unless refreshed',
    ]);
    vi.advanceTimersByTime(LOG_INTERVAL_MS - 1);
    expect(out.read()).toBeNull();
    vi.advanceTimersByTime(1);
    expect(lines(out)).toEqual([
      'gcs-lock: still waiting for gs://b/o after 30.0s: held by host box pid 42 ("deploy"), token 17; its lease has expired: taking over',
    ]);
    vi.advanceTimersByTime(LOG_INTERVAL_MS);
    expect(lines(out)).toHaveLength(1);
    progress.acquired('18', 61_000);
    expect(lines(out)).toEqual(['gcs-lock: acquired gs://b/o after 1m01s (token 18)']);
    vi.advanceTimersByTime(LOG_INTERVAL_MS * 3);
    expect(out.read()).toBeNull(); // nothing after the wait
  });

  it('says when another holder took the lock meanwhile', () => {
    const out = stream(false);
    const progress = new WaitProgress(out, 'gs://b/o', { enabled: true });
    progress.contended(holder);
    out.read();
    progress.contended({ ...holder, token: '18', host: 'other' });
    expect(lines(out)[0]).toMatch(/^gcs-lock: still waiting for gs:\/\/b\/o: held by host other pid 42/);
  });

  it('is silent when disabled (-q, --json), and on an immediate acquire', () => {
    const quiet = stream(false);
    const disabled = new WaitProgress(quiet, 'gs://b/o', { enabled: false });
    disabled.contended(holder);
    disabled.acquired('18', 10);
    expect(quiet.read()).toBeNull();
    const out = stream(false);
    new WaitProgress(out, 'gs://b/o', { enabled: true }).acquired('18', 10);
    expect(out.read()).toBeNull();
  });

  it('on a terminal, keeps the status line instead', () => {
    const out = stream(true);
    const progress = new WaitProgress(out, 'gs://b/o', { enabled: true });
    progress.contended(holder);
    progress.acquired('18', 10);
    const text = String(out.read());
    expect(text.startsWith('\r\x1b[2Kgcs-lock: waiting for gs://b/o, held by')).toBe(true);
    expect(text).not.toContain('\n');
  });
});

describe('describeHolder', () => {
  it('never prints a negative age (the server clock has whole seconds, the lease milliseconds)', () => {
    // Read at 10:00:00 on the server's clock, for a lease taken at 10:00:00.700.
    const fresh = {
      ...holder,
      acquiredAt: new Date('2024-05-01T10:00:00.700Z'),
      expiresAt: new Date('2024-05-01T10:01:00.700Z'),
      expiresInMs: 60_700,
    };
    expect(describeHolder(fresh)).toContain('(0ms ago)');
    expect(describeHolder(fresh)).not.toMatch(/[( ]-\d/);
  });
});
