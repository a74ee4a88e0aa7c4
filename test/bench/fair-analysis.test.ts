/**
 * The fairness loop's arithmetic, on hand-made records: what counts as a hand-off, a retake, an
 * overlap, a starving worker. The bench's headline figures rest on these definitions.
 */
import { describe, expect, it } from 'vitest';
import { analyseFairness, handoffPercentiles, type GrantRecord } from '../../bench/fair-analysis.js';

const grant = (
  worker: number,
  fence: string,
  asked: number,
  got: number,
  releaseAt: number,
): GrantRecord => ({
  worker,
  fence,
  asked,
  got,
  releaseAt,
  released: releaseAt + 20,
  handedOver: false,
  lost: false,
});
const run = (
  grants: GrantRecord[],
  pending: Array<{ worker: number; asked: number; abortedAt: number }> = [],
) => [{ grants, pending, counts: {}, errors: [] }];

describe('analyseFairness', () => {
  it('orders grants by fence as numbers, and measures hand-offs to workers that were already waiting', () => {
    // Fences 9 and 10 sort wrongly as strings; the arithmetic must not.
    const stats = analyseFairness(
      run([grant(1, '10', 50, 1_200, 3_700), grant(0, '9', 0, 100, 1_000)]),
      2,
      0,
      10_000,
    );
    expect(stats.handoffs).toEqual([200]);
    expect(stats.grantsPerWorker).toEqual([1, 1]);
    expect(stats.maxShare).toBe(0.5);
    expect(stats.retakes).toBe(0);
    expect(stats.overlaps).toBe(0);
  });

  it('a releaser that takes the lock back is a retake; a latecomer is neither a retake nor a hand-off', () => {
    const stats = analyseFairness(
      run([
        grant(0, '1', 0, 10, 1_000),
        grant(0, '2', 1_050, 1_080, 2_000), // the releaser again
        grant(1, '3', 2_500, 2_530, 3_000), // asked after the release: not waiting at it
      ]),
      2,
      0,
      10_000,
    );
    expect(stats).toMatchObject({ retakes: 1, handoffs: [], grants: 3, grantsPerWorker: [2, 1] });
  });

  it('counts a grant made before the previous holder released as an overlap, and repeated fences', () => {
    const stats = analyseFairness(
      run([grant(0, '1', 0, 10, 1_000), grant(1, '2', 0, 900, 2_000), grant(2, '2', 0, 2_100, 2_500)]),
      3,
      0,
      10_000,
    );
    expect(stats.overlaps).toBe(1);
    expect(stats.duplicateFences).toBe(1);
  });

  it('a worker still waiting at the end sets the longest wait, marked as censored', () => {
    const stats = analyseFairness(
      run(
        [grant(0, '1', 0, 10, 1_000), grant(0, '2', 1_050, 1_060, 2_000)],
        [{ worker: 1, asked: 5, abortedAt: 9_005 }],
      ),
      2,
      0,
      9_000,
    );
    expect(stats.longestWait).toBe(9_000);
    expect(stats.longestWaitCensored).toBe(true);
    expect(stats.grantsPerWorker).toEqual([2, 0]);
    expect(stats.maxShare).toBe(1);
    expect(stats.waiterSeconds).toBeCloseTo((10 + 10 + 9_000) / 1000);
  });

  it('grants after the window are counted as late, not in the shares', () => {
    const stats = analyseFairness(
      run([grant(0, '1', 0, 10, 100), grant(1, '2', 50, 5_200, 5_300)]),
      2,
      0,
      5_000,
    );
    expect(stats).toMatchObject({ grants: 1, lateGrants: 1, grantsPerWorker: [1, 0] });
  });
});

describe('handoffPercentiles and the warm-up', () => {
  it('gives a p99 only from 100 samples', () => {
    const few = Array.from({ length: 99 }, (_, i) => i);
    expect(Number.isNaN(handoffPercentiles(few).p99)).toBe(true);
    expect(handoffPercentiles([...few, 1_000]).p99).toBeCloseTo(98 + 0.01 * 902);
  });

  it('leaves the warm-up out: waits of acquires asked before the window do not count', () => {
    const grants = [grant(0, '1', 0, 8_000, 9_000), grant(1, '2', 8_500, 9_050, 10_000)];
    const stats = analyseFairness(run(grants), 2, 8_200, 20_000);
    expect(stats).toMatchObject({ grants: 1, longestWait: 550, handoffs: [50] });
  });
});
