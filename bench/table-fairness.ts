import { countIn, type CountFilter } from './counting-store.js';
import { fmt, from, table, type Cell } from './format.js';
import { handoffPercentiles, MIN_SAMPLES_P99 } from './fair-analysis.js';
import { FAIR_VARIANTS, type FairnessCell, type FairVariantKey } from './scenarios/fairness.js';

/** Issue 16's goals for hand-off at 20 ms a request with holds ≥ 2 s. */
export const GOALS = { handoffP50: 250, handoffP99: 1_000 };

/** Share goal: an equal split plus two grants (FIFO keeps workers within one grant; the window cuts one more). */
export const shareGoal = (workers: number, grants: number): number => 1 / workers + 2 / grants;

/** Longest-wait goal: everyone ahead holds once and hands off once, at the hand-off goal. */
export const waitGoal = (workers: number, holdMs: number): number =>
  (workers - 1) * (holdMs + GOALS.handoffP50);

/** Writes per grant, by object and by protocol step: where each write of a grant goes. */
const WRITE_ROWS: ReadonlyArray<[string, CountFilter]> = [
  ['lock object: grants / grant', { kind: 'lock', op: 'insert', outcome: 'ok' }],
  ['lock object: release patches / grant', { kind: 'lock', op: 'patch-release', outcome: 'ok' }],
  ['lock object: queue-flag patches / grant', { kind: 'lock', op: 'patch-flag', outcome: 'ok' }],
  ['lock object: refresh patches / grant', { kind: 'lock', op: 'patch-refresh', outcome: 'ok' }],
  [
    'lock object: refused writes (412, 429, aborted) / grant',
    { kind: 'lock', op: 'write', outcome: 'refused' },
  ],
];

interface Row {
  metric: string;
  cells: Partial<Record<FairVariantKey, Cell>>;
  goal: string;
}

const perGrant = (c: FairnessCell, filter: CountFilter): Cell =>
  from(countIn(c.counts, filter) / Math.max(1, grantsAll(c)), grantsAll(c));

/** Every grant the cell's requests paid for, the ones after the window included. */
const grantsAll = (c: FairnessCell): number => c.stats.grants + c.stats.lateGrants;

function rowsFor(cells: readonly FairnessCell[], workers: number, limit: boolean): Row[] {
  const variants = FAIR_VARIANTS.filter((v) =>
    cells.some((c) => c.variant === v.key && c.workers === workers),
  );
  const row = (metric: string, pick: (c: FairnessCell) => Cell, goal = ''): Row => ({
    metric: `${workers} workers: ${metric}`,
    cells: Object.fromEntries(
      variants.map(({ key }) => {
        const c = cells.find((x) => x.variant === key && x.workers === workers);
        return [key, c ? pick(c) : undefined];
      }),
    ),
    goal,
  });
  const hold = cells[0]?.settings.holdMs ?? 0;
  const warmUp = cells[0]?.settings.warmUpMs ?? 0;
  const out: Row[] = [];
  if (limit) out.push(row('acquisitions / s', (c) => from(c.stats.grants / c.stats.seconds, c.stats.grants)));
  out.push(row(`grants (after the first ${warmUp / 1000} s)`, (c) => String(c.stats.grants)));
  out.push(row('grants per worker', (c) => c.stats.grantsPerWorker.join(' / ')));
  out.push(
    row(
      'largest share of grants',
      (c) => from(c.stats.maxShare, c.stats.grants),
      limit ? '' : `≤ 1/N + 2 grants (${(1 / workers).toFixed(2)} + 2/n)`,
    ),
  );
  out.push(
    row(
      'longest wait, ms',
      (c) =>
        `${Math.round(c.stats.longestWait)}${c.stats.longestWaitCensored ? ' (still waiting at the end)' : ''}`,
      limit ? '' : `≈ (N−1)×(hold + 250) = ${waitGoal(workers, hold)}`,
    ),
  );
  if (!limit) {
    out.push(
      row(
        'hand-off to a waiting process, p50, ms',
        (c) => from(handoffPercentiles(c.stats.handoffs).p50, c.stats.handoffs.length),
        `≤ ${GOALS.handoffP50}`,
      ),
    );
    out.push(
      row(
        `hand-off p99, ms (shown from ${MIN_SAMPLES_P99} samples)`,
        (c) => from(handoffPercentiles(c.stats.handoffs).p99, c.stats.handoffs.length),
        `≤ ${GOALS.handoffP99}`,
      ),
    );
    out.push(
      row('hand-off max, ms', (c) =>
        // The largest hand-off, or a dash with no hand-off at all (Math.max of nothing is -Infinity).
        from(
          c.stats.handoffs.length > 0 ? Math.max(...c.stats.handoffs) : Number.NaN,
          c.stats.handoffs.length,
        ),
      ),
    );
  }
  out.push(row('grants the releaser took back', (c) => `${c.stats.retakes} of ${c.stats.grants}`));
  out.push(
    row('reads per waiter per second', (c) => {
      const reads = countIn(c.counts, { op: 'read' });
      const perSecond = reads / Math.max(1e-9, c.stats.waiterSeconds);
      return `${perSecond.toFixed(2)} (${reads} reads / ${Math.round(c.stats.waiterSeconds)} waiter-s)`;
    }),
  );
  for (const [label, filter] of WRITE_ROWS) out.push(row(label, (c) => perGrant(c, filter)));
  out.push(row('tickets: writes / grant', (c) => perGrant(c, { kind: 'ticket', op: 'write' })));
  out.push(row('every request / grant', (c) => perGrant(c, {})));
  out.push(
    row('requests: counted by the workers / on the wire', (c) => `${countIn(c.counts)} / ${c.wireTotal}`),
  );
  return out;
}

function render(cells: readonly FairnessCell[], limit: boolean): string[] {
  const variants = FAIR_VARIANTS.filter((v) => cells.some((c) => c.variant === v.key));
  const levels = [...new Set(cells.map((c) => c.workers))].sort((a, b) => a - b);
  const rows = levels.flatMap((n) => rowsFor(cells, n, limit));
  return table(
    ['metric', ...variants.map((v) => v.label), ...(limit ? [] : ['goal (issue 16)'])],
    rows.map((r) => [r.metric, ...variants.map((v) => fmt(r.cells[v.key])), ...(limit ? [] : [r.goal])]),
  );
}

/** The fairness loop and the write-limit cell, each variant a column. */
export function renderFairness(loop: readonly FairnessCell[], writeLimit: readonly FairnessCell[]): string[] {
  const s = loop[0]?.settings;
  const w = writeLimit[0]?.settings;
  const problems = [...loop, ...writeLimit].filter(
    (c) => c.errors.length || c.stats.overlaps || c.stats.duplicateFences || c.stats.lost,
  );
  return [
    s
      ? `### The fairness loop (issue 16): acquire → hold ${s.holdMs} ms → release → ${s.thinkMs} ms → again; ttl ${s.ttl / 1000} s, ${s.seconds} s per cell (figures from the last ${(s.seconds * 1000 - s.warmUpMs) / 1000} s), every cell at once`
      : '### The fairness loop: not run',
    '',
    ...render(loop, false),
    '',
    w
      ? `### At the write limit: ${writeLimit[0]?.workers} contenders, holds of ${w.holdMs} ms, ${w.thinkMs} ms between turns, ${w.seconds} s (figures from the last ${(w.seconds * 1000 - w.warmUpMs) / 1000} s, after the burst)`
      : '### At the write limit: not run',
    '',
    ...render(writeLimit, true),
    '',
    problems.length
      ? `Problems: ${problems.map((c) => `${c.variant} × ${c.workers}: ${c.errors.length} errors, ${c.stats.overlaps} overlaps, ${c.stats.duplicateFences} repeated fences, ${c.stats.lost} lost`).join('; ')}`
      : 'No errors, no overlapping grants, no repeated fence, no lease lost, in any cell.',
  ];
}
