import { describe, expect, it } from 'vitest';
import { checkDemo, type DemoInterval } from '../../../src/cli/demo/check.js';

const section = (
  worker: string,
  token: number,
  start: number,
  end: number | undefined,
  extra: Partial<DemoInterval> = {},
): DemoInterval => ({
  worker,
  token: String(token),
  start,
  end,
  crashed: false,
  tookOver: false,
  ...extra,
});

const good = (): DemoInterval[] => [
  section('w1', 100, 0, 500, { crashed: true }),
  section('w2', 200, 3_400, 4_400, { tookOver: true }),
  section('w3', 300, 4_410, 5_400),
];
const expectations = { ttlMs: 3_000, expectedSections: 2, crashAt: 500 };
const failed = (checks: ReturnType<typeof checkDemo>) =>
  checks.filter((c) => !c.ok && !c.warning).map((c) => c.text);

describe('checkDemo', () => {
  it('passes a correct run', () => {
    const checks = checkDemo(good(), expectations);
    expect(failed(checks)).toEqual([]);
    expect(checks.map((c) => c.text).join('\n')).toMatch(/w2 took over .* 2\.9s after the crash/);
  });

  it('fails on two holders at once', () => {
    const run = good();
    run[2]!.start = 4_300;
    expect(failed(checkDemo(run, expectations))).toEqual([
      expect.stringMatching(/TWO HOLDERS AT ONCE: 1 overlapping/),
    ]);
  });

  it('fails when a takeover came before the crashed holder died', () => {
    const run = good();
    run[1]!.start = 400;
    expect(failed(checkDemo(run, { ...expectations, crashAt: 500 }))[0]).toMatch(/TWO HOLDERS/);
  });

  it('fails when tokens do not increase', () => {
    const run = good();
    run[2]!.token = '150';
    expect(failed(checkDemo(run, expectations))).toEqual([expect.stringMatching(/did NOT increase/)]);
  });

  it('fails with no crash, no takeover, or missing sections; only warns about a slow takeover', () => {
    expect(failed(checkDemo(good(), { ...expectations, crashAt: undefined }))).toEqual([
      expect.stringMatching(/no worker crashed/),
    ]);
    const noTakeover = good();
    noTakeover[1]!.tookOver = false;
    expect(failed(checkDemo(noTakeover, expectations))).toEqual([expect.stringMatching(/not by a takeover/)]);
    expect(failed(checkDemo(good(), { ...expectations, expectedSections: 3 }))).toEqual([
      expect.stringMatching(/2 of 3/),
    ]);
    const slow = good().map((s, i) =>
      i === 0 ? s : { ...s, start: s.start + 10_000, end: s.end! + 10_000 },
    );
    const checks = checkDemo(slow, expectations);
    expect(failed(checks)).toEqual([]);
    expect(checks.find((c) => c.warning && !c.ok)?.text).toMatch(/slower than ttl/);
  });

  it('fails when a section never ended', () => {
    const run = good();
    run[2]!.end = undefined;
    expect(failed(checkDemo(run, expectations)).join()).toMatch(/never ended/);
  });
});
