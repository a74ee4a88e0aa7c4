import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { check } from '../../torture/checker.js';
import { TORTURE_FAULTS } from '../../torture/faults.js';
import { readHistory } from '../../torture/history.js';
import { runTorture } from '../../torture/orchestrator.js';
import { formatTable, formatViolations } from '../../torture/report.js';

const dir = mkdtempSync(join(tmpdir(), 'gcs-lock-torture-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('torture: a short run with every fault', () => {
  it('keeps every promise, and every fault kind was actually delivered', { timeout: 240_000 }, async () => {
    // No timing assertions here beyond the checker's generous liveness slack: the schedule starts a
    // server fault and queues a holder fault every 1.5 s for the first 34 s, so each of the 9 holder
    // kinds is queued at least twice; holder faults wait for their moment (the CLI ones for a long
    // command to win a lock, a waiter-pause for a waiter's read of a lease it has seen).
    const result = await runTorture({
      workers: 6,
      cliWorkers: 2,
      locks: 3,
      durationMs: 40_000,
      quota: null,
      faults: TORTURE_FAULTS,
      ttl: 2000,
      dir: join(dir, 'run'),
    });
    const report = `${formatTable(result.check)}\n${formatViolations(result.check.violations)}`;
    expect(result.check.violations, report).toEqual([]);
    for (const kind of TORTURE_FAULTS) {
      expect(
        result.check.figures.delivered[kind] ?? 0,
        `${kind} was never delivered\n${report}`,
      ).toBeGreaterThan(0);
    }
    expect(result.check.figures.writesAccepted).toBeGreaterThan(0);
    expect(result.check.figures.cliCommands).toBeGreaterThan(0);
    // The file on disk is the same history: the checker reaches the same verdict from it.
    expect(check(readHistory(result.historyPath)).figures).toEqual(result.check.figures);
  });
});
