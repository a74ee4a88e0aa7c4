import type { BenchResults } from './bench.js';
import { renderComparison } from './table-costs.js';
import { renderFairness } from './table-fairness.js';

/** The whole report: set-up, the comparison with the classic recipe, and the fairness loop. */
export function renderReport(r: BenchResults): string {
  return [
    `gcs-lock benchmark${r.quick ? ' (--quick)' : ''}: ${r.date}, node ${r.node}, ${r.machine.cpus} × ${r.machine.model}`,
    `local server with ${r.latencyMs} ms per request and GCS's rate limit (${r.rateLimit.perSecond} write/s/object, burst ${r.rateLimit.burst}); contenders: ${r.contenders}.`,
    'Cells: median (10th–90th percentile, or min–max under 10 samples; n = samples). Counts per acquisition or grant say over how many (n). A percentile is shown only where the sample has one. Ratios are of medians measured in the same run.',
    '',
    ...renderComparison(r),
    '',
    ...renderFairness(r.loop, r.writeLimit),
    '',
    ...(r.failures.length ? [`Scenarios that failed: ${r.failures.join('; ')}`, ''] : []),
    `Ran in ${r.seconds.toFixed(0)} s.`,
  ].join('\n');
}
