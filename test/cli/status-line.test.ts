import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StatusLine } from '../../src/cli/status-line.js';
import type { LockInfo } from '../../src/core/lock-info.js';

const holder = { host: 'box', pid: 1, description: undefined, token: '17', expiresInMs: 30_000 } as LockInfo;

function stream(isTTY: boolean): PassThrough & NodeJS.WriteStream {
  const s = new PassThrough() as PassThrough & NodeJS.WriteStream;
  s.isTTY = isTTY;
  s.columns = 200;
  return s;
}

describe('StatusLine', () => {
  it('writes nothing at all when the stream is not a TTY', () => {
    const out = stream(false);
    const line = new StatusLine(out, 'gs://b/o');
    line.update(holder);
    line.clear();
    expect(out.read()).toBeNull();
  });

  it('rewrites one line in place on a TTY, and erases it', () => {
    const out = stream(true);
    const line = new StatusLine(out, 'gs://b/o');
    line.update(holder);
    line.clear();
    const text = String(out.read());
    const erase = '\r\x1b[2K';
    expect(text.startsWith(erase)).toBe(true);
    expect(text.slice(erase.length)).toMatch(
      /^gcs-lock: waiting for gs:\/\/b\/o, held by host box pid 1, token 17; waited \d+ms, expires in 30\.0s/,
    );
    expect(text.endsWith('\r\x1b[2K')).toBe(true);
    expect(text).not.toContain('\n');
  });

  it('stays silent when disabled (-q, --json)', () => {
    const out = stream(true);
    new StatusLine(out, 'gs://b/o', { enabled: false }).update(holder);
    expect(out.read()).toBeNull();
  });
});
