import { measure, type Measure } from './stats.js';

/** A cell: a number with its spread and sample size, or words where a number would lie. */
export type Cell = Measure | string | undefined;

/** A count or a figure computed from `samples` events (a rate, a share), shown with its sample size. */
export const from = (value: number, samples: number): Measure => ({
  median: value,
  low: value,
  high: value,
  samples,
});

/** Several repetitions of a count: the count if they agree, else their median and range. */
export const counts = (values: readonly number[]): Measure => measure(values);

const num = (x: number): string =>
  Math.abs(x) >= 100 || Number.isInteger(x) ? x.toFixed(0) : x.toFixed(Math.abs(x) < 1 ? 2 : 1);

/** `median (low–high; n=…)`: every figure says how many samples it rests on. */
export function fmt(cell: Cell): string {
  if (cell === undefined) return '—';
  if (typeof cell === 'string') return cell;
  if (!Number.isFinite(cell.median)) return `— (n=${cell.samples})`;
  const spread = cell.low === cell.high ? '' : `${num(cell.low)}–${num(cell.high)}; `;
  return `${num(cell.median)} (${spread}n=${cell.samples})`;
}

/** a ÷ b of the medians, or a dash with the reason. */
export function ratio(a: Cell, b: Cell): string {
  // Words where a number would lie ("never — needs a human") give their reason; breakdowns give nothing.
  if (typeof a !== 'object' || typeof b !== 'object')
    return typeof b === 'string' && b.includes(' — ') ? `— (${b.split(' —')[0]})` : '';
  if (!Number.isFinite(a.median) || !Number.isFinite(b.median) || b.median === 0)
    return a.median === 0 && b.median === 0 ? '1×' : '—';
  return `${(a.median / b.median).toFixed(2)}×`;
}

/** A markdown table. */
export function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
}
