import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/cli/args.js';
import { maxKillGrace, parseRunArgs } from '../../../src/cli/commands/run-args.js';

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

  it('bounds the default --kill-grace by the loss margin, so the command is dead before a waiter may take over', () => {
    const grace = (ttl?: string): number =>
      parseRunArgs(['gs://my-bkt/o', ...(ttl ? ['--ttl', ttl] : []), '--', 'true'])!.killGraceMs;
    expect(grace()).toBe(6_000); // default ttl 60s: margin 12s, half of it
    expect(grace('10s')).toBe(1_000); // margin 2s
    expect(grace('2s')).toBe(200);
    expect(grace('1s')).toBe(100);
    expect(grace('100s')).toBe(10_000); // the default grace fits from 100 s
    for (const ttl of ['1s', '2s', '5s', '10s', '30s', '54s', '60s', '10m']) {
      const plan = parseRunArgs(['gs://my-bkt/o', '--ttl', ttl, '--', 'true'])!;
      expect(plan.killGraceMs).toBeLessThanOrEqual(plan.lossMargin / 2);
      expect(plan.lossMargin).toBe(Math.floor(plan.ttl / 5));
      expect(maxKillGrace(plan.ttl)).toBeGreaterThanOrEqual(plan.killGraceMs);
    }
  });

  it('refuses a --kill-grace longer than the margin allows, naming the largest and the ttl that would do', () => {
    expect(() => parseRunArgs(['gs://my-bkt/o', '--ttl', '10s', '--kill-grace', '5s', '--', 'true'])).toThrow(
      /--kill-grace 5s is too long for --ttl 10s: at most 1s.*or --ttl 50s or more/,
    );
    expect(() => parseRunArgs(['gs://my-bkt/o', '--kill-grace', '12s', '--', 'true'])).toThrow(
      /too long for the default ttl \(60s\): at most 6s/,
    );
    expect(
      parseRunArgs(['gs://my-bkt/o', '--ttl', '50s', '--kill-grace', '5s', '--', 'true'])!.killGraceMs,
    ).toBe(5_000);
    expect(parseRunArgs(['gs://my-bkt/o', '--kill-grace', '0', '--', 'true'])!.killGraceMs).toBe(0);
  });

  it('reads --request-timeout and --endpoint for the store', () => {
    const plan = parseRunArgs([
      'gs://my-bkt/o',
      '--request-timeout',
      '2.5',
      '--endpoint',
      'http://h:1',
      '--',
      'true',
    ]);
    expect(plan!.store).toEqual({ endpoint: 'http://h:1', requestTimeout: 2_500 });
  });

  it.each([
    [['gs://my-bkt/o'], /put -- before the command/],
    [['gs://my-bkt/o', 'echo', 'hi'], /gcs-lock run gs:\/\/my-bkt\/o -- echo hi/],
    [['gs://my-bkt/o', '--'], /missing the command after --/],
    [['--', 'echo'], /missing gs:\/\/BUCKET\/OBJECT/],
    [['-n', '-w', '5', 'gs://my-bkt/o', '--', 'true'], /either -n .* or -w/],
    [['gs://my-bkt/o', '--ttl', '500ms', '--', 'true'], /--ttl 500ms is too short: use at least 1s/],
    [['gs://my-bkt/o', '--ttl', '-5', '--', 'true'], /--ttl "-5" is negative: use seconds/],
    [['gs://my-bkt/o', '--ttl', '200h', '--', 'true'], /--ttl 200h is too long: use at most 168h/],
    [['gs://my-bkt/o', '-w', '-1', '--', 'true'], /-w\/--wait "-1" is negative/],
    [
      ['gs://my-bkt/o', '--request-timeout', '0', '--', 'true'],
      /--request-timeout 0 is too short: use at least 1ms/,
    ],
    [['my-bkt/o', '--', 'true'], /gs:\/\//],
    [['gs://my-bkt', '--', 'true'], /object/],
    [['gs://my-bkt/o', '-E', '300', '--', 'true'], /0 to 255/],
  ])('%j is a usage error', (args, message) => {
    expect(() => parseRunArgs(args)).toThrow(UsageError);
    expect(() => parseRunArgs(args)).toThrow(message);
  });
});
