import { describe, expect, it } from 'vitest';
import {
  expectPositionals,
  parseCommandLine,
  parseDuration,
  parseExitCode,
  parsePort,
  UsageError,
} from '../../src/cli/args.js';

describe('parseDuration', () => {
  it.each([
    ['30', 30_000],
    ['2.5', 2_500],
    ['500ms', 500],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    [' 3s ', 3_000],
  ])('%j is %d ms', (text, ms) => expect(parseDuration('--ttl', text)).toBe(ms));

  it.each(['', 'soon', '-5', '1d', '5 s', '1e3'])('rejects %j with an example of what would work', (text) => {
    expect(() => parseDuration('--ttl', text)).toThrow(UsageError);
    expect(() => parseDuration('--ttl', text)).toThrow(/--ttl .* use seconds \(30, 2\.5\) or .*30s, 2m/);
  });

  it('says a negative duration is negative', () => {
    expect(() => parseDuration('--ttl', '-5')).toThrow('--ttl "-5" is negative: use seconds (30, 2.5)');
  });

  it('speaks in the units people type when a value is out of range', () => {
    const range = { min: 1_000, max: 7 * 24 * 3_600_000 };
    expect(() => parseDuration('--ttl', '0.5', range)).toThrow('--ttl 0.5 is too short: use at least 1s');
    expect(() => parseDuration('--ttl', '200h', range)).toThrow('--ttl 200h is too long: use at most 168h');
    expect(() => parseDuration('--ttl', '999999999', range)).not.toThrow(/millisecond/);
    expect(parseDuration('--ttl', '168h', range)).toBe(range.max);
  });
});

describe('parseExitCode and parsePort', () => {
  it('accepts 0..255 and 0..65535', () => {
    expect(parseExitCode('-E', '0')).toBe(0);
    expect(parseExitCode('-E', '255')).toBe(255);
    expect(parsePort('--port', '4443')).toBe(4443);
  });
  it.each(['256', '-1', 'x', '1.5'])('rejects exit code %j', (text) =>
    expect(() => parseExitCode('-E', text)).toThrow(/0 to 255/),
  );
  it.each(['65536', 'http', ''])('rejects port %j', (text) =>
    expect(() => parsePort('--port', text)).toThrow(/0 to 65535/),
  );
});

describe('parseCommandLine', () => {
  const options = {
    nonblock: { type: 'boolean', short: 'n' },
    wait: { type: 'string', short: 'w' },
  } as const;

  it('keeps everything after the first -- apart, verbatim, even what looks like our options', () => {
    const parsed = parseCommandLine(
      'run',
      ['-n', 'gs://b/o', '--', 'cmd', '-n', '--wait', '--', 'x'],
      options,
    );
    expect(parsed.values).toEqual({ nonblock: true });
    expect(parsed.positionals).toEqual(['gs://b/o']);
    expect(parsed.rest).toEqual(['cmd', '-n', '--wait', '--', 'x']);
  });

  it('says when there was no --', () => {
    expect(parseCommandLine('run', ['gs://b/o', 'cmd'], options).rest).toBeUndefined();
  });

  it('reads a negative number as the value of an option that takes one, for our message to judge', () => {
    expect(parseCommandLine('run', ['--wait', '-5'], options).values).toEqual({ wait: '-5' });
    expect(parseCommandLine('run', ['-w', '-0.5', 'x'], options).values).toEqual({ wait: '-0.5' });
    expect(() => parseCommandLine('run', ['-w', '-n'], options)).toThrow(UsageError); // an option, not a value
  });

  it('turns parseArgs errors into usage errors naming the command', () => {
    expect(() => parseCommandLine('run', ['--bogus'], options)).toThrow(/^run: Unknown option '--bogus'/);
    expect(() => parseCommandLine('run', ['-w'], options)).toThrow(UsageError);
  });
});

describe('expectPositionals', () => {
  it('names what is missing and what is extra', () => {
    expect(() => expectPositionals('status', [], ['gs://BUCKET/OBJECT'])).toThrow(
      'status: missing gs://BUCKET/OBJECT',
    );
    expect(() => expectPositionals('status', ['a', 'b'], ['URL'])).toThrow('status: unexpected argument "b"');
    expect(expectPositionals('status', ['a'], ['URL'])).toEqual(['a']);
  });
});
