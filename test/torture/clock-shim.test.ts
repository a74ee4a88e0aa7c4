import { describe, expect, it } from 'vitest';
import { installClockShim } from '../../torture/clock-shim.js';
import { monoNow } from '../../torture/history.js';

describe('torture: the clock shim a worker installs', () => {
  it("hides a suspend from performance.now, not from Date.now nor from the checker's clock", () => {
    const shim = installClockShim();
    const before = { perf: performance.now(), wall: Date.now(), mono: monoNow() };
    shim.suspend(200);
    const after = { perf: performance.now(), wall: Date.now(), mono: monoNow() };
    expect(after.mono - before.mono).toBeGreaterThanOrEqual(200);
    expect(after.wall - before.wall).toBeGreaterThanOrEqual(199);
    // The monotonic clock the library reads skipped exactly the suspended time.
    expect(after.mono - before.mono - (after.perf - before.perf)).toBeCloseTo(200, 0);
    shim.stepWall(60_000);
    const stepped = { perf: performance.now(), wall: Date.now() };
    expect(stepped.wall - after.wall - (stepped.perf - after.perf)).toBeCloseTo(60_000, -1);
  });
});
