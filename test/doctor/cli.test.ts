/**
 * `gcs-lock doctor` as a user runs it: the built CLI against a local GCS server, its lines, its
 * `--json` report (the documented schema), its exit status, and its usage errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../src/doctor/types.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { ensureBuilt, runCli } from '../cli/helpers.js';

let server: RunningServer;
beforeAll(async () => {
  await ensureBuilt();
  server = await startServer({
    buckets: [
      { name: 'fit', softDeleteRetentionSeconds: 0 },
      { name: 'retained', softDeleteRetentionSeconds: 0, retentionPeriodSeconds: 3600 },
      { name: 'versioned', versioning: true },
    ],
  });
}, 120_000); // a build of dist/ may come first
afterAll(() => server.close());

describe('gcs-lock doctor', () => {
  it('prints one line per check, the cost, a tally, and exits 0 when nothing fails', async () => {
    const result = await runCli(['doctor', 'gs://fit/locks/', '--endpoint', server.url]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('gcs-lock doctor gs://fit/locks/ (ttl 1m00s, refresh every 15.0s, fair)');
    for (const title of [
      'permissions',
      'retention policy',
      'object versioning',
      'server clock',
      'lock cycle',
    ]) {
      expect(
        lines.some((line) => line.startsWith('PASS') && line.includes(title)),
        title,
      ).toBe(true);
    }
    expect(result.stdout).toMatch(/holding a lock +240 writes +\$0\.0012 +\$0\.86/);
    expect(result.stdout).toContain('0 failed, 0 warnings, 11 passed: locks will work here.');
  });

  it('fails a bucket with a retention policy: FAIL lines with their fixes, exit 1', async () => {
    const result = await runCli(['doctor', 'gs://retained', '--endpoint', server.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^FAIL +retention policy +objects younger than 3600 s/m);
    expect(result.stdout).toMatch(
      /^ +fix: gcloud storage buckets update gs:\/\/retained --clear-retention-period/m,
    );
    expect(result.stdout).toMatch(/^FAIL +lock cycle +acquire again failed/m);
    expect(result.stdout).toContain('2 failed');
  });

  it('writes the documented JSON report, and honours --ttl, --refresh-interval and --read-only', async () => {
    const result = await runCli([
      'doctor',
      'gs://versioned',
      '--endpoint',
      server.url,
      '--json',
      '--read-only',
      '--ttl',
      '2m',
      '--refresh-interval',
      '20s',
    ]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as DoctorReport;
    expect(Object.keys(report)).toEqual([
      'url',
      'bucket',
      'prefix',
      'ok',
      'summary',
      'settings',
      'checks',
      'cost',
    ]);
    expect(report).toMatchObject({
      url: 'gs://versioned/',
      bucket: 'versioned',
      prefix: '',
      ok: false,
      summary: { fail: 1, warn: 1, skip: 1 },
      settings: {
        ttl: 120_000,
        refreshInterval: 20_000,
        lossMargin: 24_000,
        pollInitial: 250,
        pollMax: 2_000,
        fair: true,
      },
    });
    for (const check of report.checks) {
      expect(
        Object.keys(check).every((key) =>
          ['id', 'title', 'status', 'reason', 'fix', 'details'].includes(key),
        ),
      ).toBe(true);
    }
    expect(report.checks.find((check) => check.id === 'versioning')).toMatchObject({ status: 'fail' });
    expect(report.checks.find((check) => check.id === 'lock-cycle')).toMatchObject({ status: 'skip' });
    expect(report.cost.held.classAPerHour).toBe(180);
    expect(Object.keys(report.cost)).toEqual(['prices', 'held', 'waiting', 'acquireRelease', 'roundTripMs']);
    expect(server.engine.getBucket('versioned').objects.size).toBe(0);
  });

  it('reports usage errors: a bad URL, a bad duration, a refresh interval too long for the ttl', async () => {
    const bad = await runCli(['doctor', 'my-locks', '--endpoint', server.url]);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('must start with "gs://"');
    const duration = await runCli(['doctor', 'gs://fit', '--ttl', 'soon', '--endpoint', server.url]);
    expect(duration.code).toBe(64);
    expect(duration.stderr).toContain('--ttl "soon" is not a duration');
    const refresh = await runCli([
      'doctor',
      'gs://fit',
      '--ttl',
      '10s',
      '--refresh-interval',
      '9s',
      '--endpoint',
      server.url,
    ]);
    expect(refresh.code).toBe(64);
    expect(refresh.stderr).toContain('refreshInterval (9000 ms) must be less than ttl - lossMargin');
  });

  it('is listed in gcs-lock --help and has its own --help', async () => {
    expect((await runCli(['--help'])).stdout).toContain('gcs-lock doctor gs://BUCKET[/PREFIX]');
    const help = await runCli(['doctor', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--read-only');
    expect(help.stdout).toContain('Exit status: 0 when no check failed, 1 when one did');
  });
});
