import { formatDuration } from '../format.js';

/** One critical section, as a demo worker reported it (epoch ms, high resolution). */
export interface DemoInterval {
  worker: string;
  token: string;
  start: number;
  /** When the worker left it: just before its release, or its death for the crashed holder. */
  end: number | undefined;
  crashed: boolean;
  tookOver: boolean;
}

/** One line of the demo's verdict. A failed check that is not a `warning` fails the demo. */
export interface DemoCheck {
  ok: boolean;
  /** Informational: reported, but never fails the demo (timings depend on the machine). */
  warning?: boolean;
  text: string;
}

export interface DemoExpectations {
  ttlMs: number;
  /** Critical sections the surviving workers should complete in all. */
  expectedSections: number;
  /** When the crashed worker died, if it did. */
  crashAt: number | undefined;
}

/**
 * The demo's proof, from the intervals alone: at most one holder at any time (no two intervals
 * overlap; the crashed holder's ends at its death), fencing tokens strictly increasing in the order
 * the lock was granted, the crashed lease taken over, every planned critical section done. The
 * takeover latency is compared with the ttl but only warned about: it depends on the machine.
 */
export function checkDemo(intervals: readonly DemoInterval[], expect: DemoExpectations): DemoCheck[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const checks: DemoCheck[] = [];

  const open = sorted.filter((interval) => interval.end === undefined);
  let overlaps = 0;
  let smallestGap = Infinity;
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    const current = sorted[i]!;
    const gap = current.start - (previous.end ?? Infinity);
    if (gap < 0) overlaps += 1;
    else smallestGap = Math.min(smallestGap, gap);
  }
  checks.push({
    ok: overlaps === 0 && open.length === 0,
    text:
      overlaps === 0 && open.length === 0
        ? `at most one holder at any time: ${sorted.length} critical sections, none overlap` +
          (Number.isFinite(smallestGap) ? ` (smallest gap ${formatDuration(smallestGap)})` : '')
        : `TWO HOLDERS AT ONCE: ${overlaps} overlapping critical section(s)` +
          (open.length ? `, ${open.length} never ended` : ''),
  });

  let increasing = true;
  for (let i = 1; i < sorted.length; i++) {
    if (BigInt(sorted[i]!.token) <= BigInt(sorted[i - 1]!.token)) increasing = false;
  }
  checks.push({
    ok: increasing,
    text: increasing
      ? `fencing tokens strictly increasing across the ${sorted.length} leases`
      : 'fencing tokens did NOT increase in the order the lock was granted',
  });

  const crashed = sorted.find((interval) => interval.crashed);
  const after = crashed ? sorted.find((interval) => interval.start > crashed.start) : undefined;
  if (!crashed || expect.crashAt === undefined) {
    checks.push({ ok: false, text: 'no worker crashed while holding the lock' });
  } else if (!after) {
    checks.push({ ok: false, text: 'nobody acquired the lock after the crash' });
  } else {
    const latency = after.start - expect.crashAt;
    checks.push({
      ok: after.tookOver,
      text: after.tookOver
        ? `${after.worker} took over the crashed holder's lease ${formatDuration(latency)} after the crash ` +
          `(token ${crashed.token} -> ${after.token})`
        : `${after.worker} acquired after the crash, but not by a takeover`,
    });
    // A crashed lease expires a ttl after its last refresh (at most ttl/4 before the crash), and the
    // waiter notices at its next poll; GCS's whole-second Date adds up to a second.
    const bound = expect.ttlMs + 2_500;
    checks.push({
      ok: latency <= bound,
      warning: true,
      text:
        `takeover latency ${formatDuration(latency)} vs ttl ${formatDuration(expect.ttlMs)}` +
        (latency <= bound
          ? ' (about one ttl plus one poll, as designed)'
          : ` (slower than ttl + 2.5s: a busy machine?)`),
    });
  }

  const completed = sorted.filter((interval) => !interval.crashed && interval.end !== undefined).length;
  checks.push({
    ok: completed === expect.expectedSections,
    text: `${completed} of ${expect.expectedSections} planned critical sections completed by the surviving workers`,
  });
  return checks;
}
