import { describe, expect, it } from 'vitest';
import { formatDuration, formatHolder, formatTable } from '../../src/cli/format.js';
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

  it('pads table columns, not the last one', () => {
    expect(formatTable(['A', 'BB', 'C'], [['xxx', 'y', 'z z']])).toBe('A    BB  C\nxxx  y   z z');
  });
});
