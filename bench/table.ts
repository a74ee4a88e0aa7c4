import type { BenchResults } from './bench.js';
import type { ContentionCell } from './scenarios/contention.js';
import { exact, measure, type Measure } from './stats.js';
import { VARIANTS, type VariantKey } from './variants.js';

/** A cell: a number (with its spread), or words where a number would lie. */
type Cell = Measure | string | undefined;
interface Row {
  metric: string;
  cells: Partial<Record<VariantKey, Cell>>;
}

const NEVER = 'never — needs a human';

/** Several repetitions of an exact count: the count if they agree, else their median and range. */
const counts = (values: readonly number[]): Measure => measure(values);

function fmt(cell: Cell): string {
  if (cell === undefined) return '—';
  if (typeof cell === 'string') return cell;
  if (!Number.isFinite(cell.median)) return '—';
  const n = (x: number): string =>
    Math.abs(x) >= 100 || Number.isInteger(x) ? x.toFixed(0) : x.toFixed(x < 1 ? 2 : 1);
  return cell.low === cell.high ? n(cell.median) : `${n(cell.median)} (${n(cell.low)}–${n(cell.high)})`;
}

function ratio(a: Cell, b: Cell): string {
  if (typeof a !== 'object' || typeof b !== 'object')
    return typeof b === 'string' ? `— (${b.split(' —')[0]})` : '—';
  if (!Number.isFinite(a.median) || !Number.isFinite(b.median) || b.median === 0)
    return a.median === 0 && b.median === 0 ? '1×' : '—';
  return `${(a.median / b.median).toFixed(2)}×`;
}

function rows(r: BenchResults): Row[] {
  const out: Row[] = [];
  const each = (fn: (key: VariantKey) => Cell): Partial<Record<VariantKey, Cell>> =>
    Object.fromEntries(VARIANTS.map(({ key }) => [key, fn(key)]));
  const u = r.uncontended;
  out.push({
    metric: 'uncontended acquire + release: requests',
    cells: each((k) => counts(u.cycles[k].requests)),
  });
  out.push({
    metric: 'uncontended acquire + release: writes',
    cells: each((k) => counts(u.cycles[k].writes)),
  });
  out.push({ metric: 'uncontended acquire, ms', cells: each((k) => u.cycles[k].acquireMs) });
  out.push({ metric: 'uncontended release, ms', cells: each((k) => u.cycles[k].releaseMs) });
  out.push({
    metric: 'one refresh (heartbeat): requests',
    cells: each((k) => (k.startsWith('classic') ? 'no lease to refresh' : counts(u.refresh.requests))),
  });
  out.push({
    metric: 'waiting out one holder: waiter’s writes',
    cells: each((k) => exact(u.waiter[k].inserts + u.waiter[k].uploadSessions)),
  });
  out.push({
    metric: 'waiting out one holder: waiter’s requests',
    cells: each((k) => exact(u.waiter[k].total)),
  });

  const levels = [...new Set(r.contention.map((c) => c.processes))];
  const cell = (k: VariantKey, n: number): ContentionCell | undefined =>
    r.contention.find((c) => c.variant === k && c.processes === n);
  const per = (label: string, pick: (c: ContentionCell) => number): void => {
    for (const n of levels) {
      out.push({
        metric: `${n} contender${n > 1 ? 's' : ''}: ${label}`,
        cells: each((k) => {
          const c = cell(k, n);
          return c ? exact(pick(c)) : undefined;
        }),
      });
    }
  };
  per('acquisitions / s', (c) => c.perSecond);
  per('writes / acquisition', (c) => c.writesPerAcq);
  per('reads / acquisition', (c) => c.readsPerAcq);
  per('429s / acquisition', (c) => c.tooManyPerAcq);
  // One process hands off only to itself: hand-offs start at two.
  const multi = (label: string, pick: (c: ContentionCell) => number): void => {
    for (const n of levels.filter((l) => l > 1)) {
      out.push({
        metric: `${n} contenders: ${label}`,
        cells: each((k) => {
          const c = cell(k, n);
          return c && c.handoffs ? exact(pick(c)) : undefined;
        }),
      });
    }
  };
  multi('hand-off median, ms', (c) => c.handoffMedian);
  multi('hand-off p99, ms', (c) => c.handoffP99);
  per('longest wait, ms', (c) => c.longestWait);
  per('errors thrown to the caller', (c) => c.failedAcquires + c.failedReleases);

  const rec = r.recovery;
  const recCell = (k: VariantKey): Cell => rec.recoveryMs[k] ?? NEVER;
  out.push({ metric: `recovery after SIGKILL of the holder, ms (ttl ${rec.ttl})`, cells: each(recCell) });
  out.push({
    metric: 'recovery ÷ ttl',
    cells: each((k) => {
      const m = rec.recoveryMs[k];
      return m
        ? { median: m.median / rec.ttl, low: m.low / rec.ttl, high: m.high / rec.ttl, samples: m.samples }
        : NEVER;
    }),
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
  }
  out.push({
    metric: 'local server: start-up to first answer, ms',
    cells: { 'gcs-lock': exact(r.server.startupMs) },
  });
  for (const rate of r.server.rates.filter((x) => x.clients === 4)) {
    out.push({
      metric: `local server: ${rate.workload}, 4 clients, req/s`,
      cells: { 'gcs-lock': exact(rate.perSecond) },
    });
  }
  return out;
}

/** One markdown table: every variant's raw median (spread), and gcs-lock's ratio to each baseline. */
export function renderReport(r: BenchResults): string {
  const head = [
    'metric',
    ...VARIANTS.map((v) => v.label),
    'gcs-lock ÷ classic',
    'gcs-lock ÷ classic (resumable: false)',
  ];
  const lines = [
    `gcs-lock benchmark${r.quick ? ' (--quick)' : ''}: ${r.date}, node ${r.node}, ${r.machine.cpus} × ${r.machine.model}`,
    `local server with ${r.latencyMs} ms per request and GCS's rate limit (${r.rateLimit.perSecond} write/s/object, burst ${r.rateLimit.burst}); contenders: ${r.contenders}.`,
    'Cells: median (10th–90th percentile, or min–max under 10 samples) over repetitions; contention rows are one timed run per cell (the four variants side by side, each on its own object), counts per acquisition, hand-offs over all hand-offs in the run.',
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
  ];
  for (const row of rows(r)) {
    const g = row.cells['gcs-lock'];
    const values = VARIANTS.map(({ key }) => fmt(row.cells[key]));
    lines.push(
      `| ${row.metric} | ${values.join(' | ')} | ${ratio(g, row.cells.classic)} | ${ratio(g, row.cells['classic-1req'])} |`,
    );
  }
  lines.push('', `Ran in ${r.seconds.toFixed(0)} s.`);
  return lines.join('\n');
}
