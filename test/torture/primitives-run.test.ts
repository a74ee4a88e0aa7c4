import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TORTURE_FAULTS } from '../../torture/faults.js';
import { runTorture } from '../../torture/orchestrator.js';
import { formatTable, formatViolations } from '../../torture/report.js';

const dir = mkdtempSync(join(tmpdir(), 'gcs-lock-torture-primitives-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Short runs with every fault, so that the --primitive switch and its checks cannot rot; the 60 s
// figures are in docs/torture.md.
describe.each(['election', 'semaphore'] as const)('torture: a short %s run with every fault', (primitive) => {
  it('keeps every promise', { timeout: 180_000 }, async () => {
    const result = await runTorture({
      workers: 5,
      cliWorkers: 1,
      locks: primitive === 'semaphore' ? 1 : 2,
      primitive,
      permits: 2,
      durationMs: 15_000,
      quota: null,
      faults: TORTURE_FAULTS,
      ttl: 2000,
      dir: join(dir, primitive),
    });
    const report = `${formatTable(result.check)}\n${formatViolations(result.check.violations)}`;
    expect(result.check.violations, report).toEqual([]);
    expect(result.check.figures.acquisitions, report).toBeGreaterThan(3);
    expect(result.check.figures.writesAccepted, report).toBeGreaterThan(0);
  });
});
