import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/cli/args.js';
import { formatDuration, formatDurationOption, formatHolder, formatTable } from '../../src/cli/format.js';
import type { LockInfo } from '../../src/core/lock-info.js';

describe('format', () => {
  it.each([
    [850, '850ms'],
    [4_200, '4.2s'],
    [125_000, '2m05s'],
    [12_000_000, '3h20m'],
    [-3_000, '-3.0s'],
    [Infinity, '∞'],
  ])('formatDuration(%d) is %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it('describes a holder without its token', () => {
    const info = { host: 'box', pid: 42, description: 'nightly', token: '17' } as LockInfo;
    expect(formatHolder(info)).toBe('host box pid 42 ("nightly")');
    expect(formatHolder({ ...info, host: undefined, pid: undefined, description: undefined })).toBe(
      'an unknown holder',
    );
  });

  it('escapes control characters in what the holder wrote about itself', () => {
    const info = { host: 'box\x1b[2J', pid: 42, description: 'a"b\nreleased\u202e', token: '17' } as LockInfo;
    expect(formatHolder(info)).toBe('host box\\x1b[2J pid 42 ("a\\"b\\nreleased\\u{202e}")');
  });

  it.each([
    [150, '150ms'],
    [1_500, '1.5s'],
    [11_000, '11s'],
    [30_000, '30s'],
    [120_000, '2m'],
    [90_000, '90s'],
    [604_800_000, '168h'],
    [1_234, '1234ms'],
  ])('formatDurationOption(%d) is %s, which parseDuration reads back', (ms, text) => {
    expect(formatDurationOption(ms)).toBe(text);
    expect(parseDuration('--x', text)).toBe(ms);
  });

  it('pads table columns, not the last one', () => {
    expect(formatTable(['A', 'BB', 'C'], [['xxx', 'y', 'z z']])).toBe('A    BB  C\nxxx  y   z z');
  });
});
