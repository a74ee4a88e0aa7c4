import type { BenchResults } from './bench.js';
import { counts, fmt, from, ratio, table, type Cell } from './format.js';
import { HOLD_MS, THINK_MS, type ContentionCell } from './scenarios/contention.js';
import type { CycleKind } from './scenarios/costs.js';
import { exact, measure } from './stats.js';
import { isClassic, VARIANTS, type VariantKey } from './variants.js';

interface Row {
  metric: string;
  cells: Partial<Record<VariantKey, Cell>>;
}

const NEVER = 'never — needs a human';
const NO_LEASE = 'no lease';
const each = (fn: (key: VariantKey) => Cell): Partial<Record<VariantKey, Cell>> =>
  Object.fromEntries(VARIANTS.map(({ key }) => [key, fn(key)]));
/** A figure measured with gcs-lock's defaults only (fair mode plays no part in it). */
const gcsOnly = (cell: Cell, other = NO_LEASE): Partial<Record<VariantKey, Cell>> =>
  each((k) => (isClassic(k) ? other : k === 'gcs-lock' ? cell : undefined));

const KIND_LABEL: Record<CycleKind, string> = {
  warm: 'warm (this process released it last)',
  cold: 'cold (a new process; the object exists)',
  first: 'first ever (no object yet)',
};

function costRows(r: BenchResults): Row[] {
  const c = r.costs;
  const out: Row[] = [];
  for (const kind of ['warm', 'cold', 'first'] as const) {
    out.push({
      metric: `acquire + release, ${KIND_LABEL[kind]}: requests`,
      cells: each((k) => counts(c.cycles[k][kind].requests)),
    });
    out.push({
      metric: `… of which mutations / other write-class / reads`,
      cells: each((k) => {
        const x = c.cycles[k][kind];
        const m = measure(x.mutations).median;
        return `${m} / ${measure(x.writes).median - m} / ${measure(x.reads).median}`;
      }),
    });
  }
  const t = c.takeover;
  out.push({
    metric: 'takeover of an expired lease (new process) + release: requests',
    cells: gcsOnly(counts(t.requests), NEVER),
  });
  for (const kind of ['warm', 'cold'] as const)
    out.push({ metric: `acquire, ${kind}, ms`, cells: each((k) => c.cycles[k][kind].acquireMs) });
  out.push({ metric: 'release, ms', cells: each((k) => c.cycles[k].warm.releaseMs) });
  out.push({ metric: 'takeover acquire, ms', cells: gcsOnly(t.acquireMs, NEVER) });
  out.push({ metric: 'one refresh (heartbeat): requests', cells: gcsOnly(counts(c.refresh.requests)) });
  const f = c.fencedWrite;
  out.push({
    metric: 'fenced write (upload + compose + delete): requests',
    cells: gcsOnly(counts(f.requests), 'no fence'),
  });
  out.push({
    metric: 'fenced write, ms',
    cells: gcsOnly(f.ms, 'no fence'),
  });
  out.push({ metric: 'plain one-request upload (no fence), ms', cells: { 'gcs-lock': f.plainMs } });
  const w = (k: VariantKey) => c.waiter[k];
  out.push({ metric: 'waiting out one holder: waiter’s requests', cells: each((k) => exact(w(k).total)) });
  out.push({
    metric: '… lock-object mutations / changed nothing / ticket writes / reads',
    cells: each(
      (k) => `${w(k).lockMutations} / ${w(k).changedNothing} / ${w(k).ticketWrites} / ${w(k).reads}`,
    ),
  });
  return out;
}

function contentionRows(r: BenchResults): Row[] {
  const out: Row[] = [];
  const levels = [...new Set(r.contention.map((c) => c.processes))];
  const cell = (k: VariantKey, n: number): ContentionCell | undefined =>
    r.contention.find((c) => c.variant === k && c.processes === n);
  const per = (label: string, pick: (c: ContentionCell) => Cell, only = levels): void => {
    for (const n of only)
      out.push({
        metric: `${n} contender${n > 1 ? 's' : ''}: ${label}`,
        cells: each((k) => {
          const c = cell(k, n);
          return c ? pick(c) : undefined;
        }),
      });
  };
  const perAcq = (c: ContentionCell, x: number): Cell => from(x, c.acquisitions);
  per('acquisitions / s', (c) => from(c.perSecond, c.acquisitions));
  per('lock-object mutations / acquisition', (c) => perAcq(c, c.lockMutationsPerAcq));
  per('lock-object write-class requests that changed nothing / acquisition', (c) =>
    perAcq(c, c.changedNothingPerAcq),
  );
  per('ticket writes (their own objects) / acquisition', (c) => perAcq(c, c.ticketWritesPerAcq));
  per('reads / acquisition', (c) => perAcq(c, c.readsPerAcq));
  per('429s / acquisition', (c) => perAcq(c, c.tooManyPerAcq));
  // One contender hands off only to itself: hand-offs start at two.
  const multi = levels.filter((l) => l > 1);
  per('hand-off median, ms', (c) => measure(c.handoffMs), multi);
  per('hand-off max, ms', (c) => from(Math.max(...c.handoffMs), c.handoffMs.length), multi);
  per('longest wait, ms', (c) => from(c.longestWait, c.acquisitions));
  per('errors thrown to the caller', (c) => exact(c.failedAcquires + c.failedReleases));
  return out;
}

function otherRows(r: BenchResults): Row[] {
  const out: Row[] = [];
  const rec = r.recovery;
  out.push({
    metric: `recovery after SIGKILL of the holder, ms (ttl ${rec.ttl})`,
    cells: each((k) => (rec.measured.includes(k) ? (rec.recoveryMs[k] ?? NEVER) : 'not run')),
  });
  for (const s of r.scale) {
    const only = (value: number): Partial<Record<VariantKey, Cell>> => ({ 'gcs-lock': exact(value) });
    out.push({
      metric: `${s.leases} leases held: heap bytes / lease`,
      cells: only(Math.round(s.heapBytesPerLease)),
    });
    out.push({
      metric: `${s.leases} leases held: CPU ms / s (refresh ${s.refreshInterval / 1000} s)`,
      cells: only(s.cpuMsPerSecond),
    });
    out.push({ metric: `${s.leases} leases held: refresh requests / s`, cells: only(s.refreshesPerSecond) });
    out.push({ metric: `${s.leases} leases: time to acquire all, s`, cells: only(s.acquireSeconds) });
    out.push({
      metric: `${s.leases} leases: failed refreshes / releases that gave up`,
      cells: { 'gcs-lock': `${s.refreshFailures} / ${s.releaseFailures}` },
    });
  }
  out.push({
    metric: 'local server: start-up to first answer, ms',
    cells: { 'gcs-lock': exact(r.server.startupMs) },
  });
  for (const rate of r.server.rates.filter((x) => x.clients === 4))
    out.push({
      metric: `local server: ${rate.workload}, 4 clients, req/s`,
      cells: { 'gcs-lock': exact(rate.perSecond) },
    });
  return out;
}

function render(rows: readonly Row[]): string[] {
  const head = [
    'metric',
    ...VARIANTS.map((v) => v.label),
    'gcs-lock ÷ classic (resumable: false)',
    'gcs-lock ÷ classic (client defaults)',
  ];
  return table(
    head,
    rows.map((row) => {
      const g = row.cells['gcs-lock'];
      return [
        row.metric,
        ...VARIANTS.map(({ key }) => fmt(row.cells[key])),
        ratio(g, row.cells['classic-1req']),
        ratio(g, row.cells.classic),
      ];
    }),
  );
}

/** The comparison with the classic recipe: costs, contention at the write limit, recovery, scale. */
export function renderComparison(r: BenchResults): string[] {
  return [
    '### What an acquisition costs',
    '',
    ...render(costRows(r)),
    '',
    `### Contention at the write limit (hold ${HOLD_MS} ms, think ${THINK_MS[0]}–${THINK_MS[1]} ms; ${r.contention[0]?.seconds.toFixed(0) ?? '?'} s per level, the four variants side by side)`,
    '',
    ...render(contentionRows(r)),
    '',
    '### Recovery, scale, the local server',
    '',
    ...render(otherRows(r)),
  ];
}
