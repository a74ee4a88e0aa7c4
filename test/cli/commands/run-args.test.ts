import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/cli/args.js';
import { parseRunArgs } from '../../../src/cli/commands/run.js';

describe('parseRunArgs', () => {
  it('reads flock-style options and keeps the command verbatim', () => {
    const plan = parseRunArgs([
      '-n',
      '-E',
      '3',
      'gs://my-bkt/locks/job',
      '--ttl',
      '2m',
      '--description',
      'd',
      '--',
      'make',
      '-n',
      'all',
    ]);
    expect(plan).toMatchObject({
      url: 'gs://my-bkt/locks/job',
      bucket: 'my-bkt',
      object: 'locks/job',
      command: 'make',
      args: ['-n', 'all'],
      timeout: 0,
      conflictExitCode: 3,
      ttl: 120_000,
      description: 'd',
      killGraceMs: 10_000,
      json: false,
      quiet: false,
    });
  });

  it('waits for ever by default, -w SECONDS otherwise', () => {
    expect(parseRunArgs(['gs://my-bkt/o', '--', 'true'])!.timeout).toBe(Infinity);
    expect(parseRunArgs(['-w', '2.5', 'gs://my-bkt/o', '--', 'true'])!.timeout).toBe(2_500);
    expect(parseRunArgs(['--wait', '1m', 'gs://my-bkt/o', '--', 'true'])!.timeout).toBe(60_000);
  });

  it('returns null for --help', () => expect(parseRunArgs(['--help'])).toBeNull());

  it.each([
    [['gs://my-bkt/o'], /put -- before the command/],
    [['gs://my-bkt/o', 'echo', 'hi'], /gcs-lock run gs:\/\/my-bkt\/o -- echo hi/],
    [['gs://my-bkt/o', '--'], /missing the command after --/],
    [['--', 'echo'], /missing gs:\/\/BUCKET\/OBJECT/],
    [['-n', '-w', '5', 'gs://my-bkt/o', '--', 'true'], /either -n .* or -w/],
    [['gs://my-bkt/o', '--ttl', '500ms', '--', 'true'], /at least 1s/],
    [['my-bkt/o', '--', 'true'], /gs:\/\//],
    [['gs://my-bkt', '--', 'true'], /object/],
    [['gs://my-bkt/o', '-E', '300', '--', 'true'], /0 to 255/],
  ])('%j is a usage error', (args, message) => {
    expect(() => parseRunArgs(args)).toThrow(UsageError);
    expect(() => parseRunArgs(args)).toThrow(message);
  });
});
