import { handoffPercentiles } from './fair-analysis.js';
import type { FairnessCell, FairVariantKey } from './scenarios/fairness.js';
import { FAIR_VARIANTS } from './scenarios/fairness.js';

const COLORS: Record<FairVariantKey, string> = {
  'unfair-procs': '#d93025',
  'fair-procs': '#1a73e8',
  'unfair-local': '#f29900',
  'fair-local': '#34a853',
};
const W = 420;
const H = 300;
const PAD = { left: 56, right: 16, top: 36, bottom: 44 };

interface Series {
  label: string;
  color: string;
  dashed?: boolean;
  points: Array<[number, number]>;
}

/** A round axis maximum: 1, 2 or 5 times a power of ten, at or above `value`. */
function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].find((m) => m * power >= value) ?? 10) * power;
}

const esc = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** One panel: a line per series over the worker counts (log2-spaced x axis). */
function panel(title: string, xs: readonly number[], series: readonly Series[], dx: number): string {
  const values = series.flatMap((s) => s.points.map(([, y]) => y)).filter(Number.isFinite);
  const top = niceMax(Math.max(...values, 0));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const lo = Math.log2(xs[0] ?? 1);
  const span = Math.max(1, Math.log2(xs.at(-1) ?? 1) - lo);
  const x = (n: number): number => dx + PAD.left + ((Math.log2(n) - lo) / span) * plotW;
  const y = (v: number): number => PAD.top + plotH - (v / top) * plotH;
  const parts: string[] = [
    `<text x="${dx + W / 2}" y="20" text-anchor="middle" font-weight="bold">${esc(title)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (top * i) / 4;
    parts.push(
      `<line x1="${dx + PAD.left}" x2="${dx + W - PAD.right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`,
      `<text x="${dx + PAD.left - 6}" y="${y(v) + 4}" text-anchor="end">${+v.toPrecision(3)}</text>`,
    );
  }
  for (const n of xs)
    parts.push(`<text x="${x(n)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${n}</text>`);
  parts.push(`<text x="${dx + PAD.left + plotW / 2}" y="${H - 8}" text-anchor="middle">workers</text>`);
  for (const s of series) {
    const points = s.points.filter(([, v]) => Number.isFinite(v)).map(([n, v]) => [x(n), y(v)] as const);
    if (points.length === 0) continue;
    const dash = s.dashed ? ' stroke-dasharray="4 3"' : '';
    parts.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${points.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')}"/>`,
      ...points.map(
        ([a, b]) => `<circle cx="${a.toFixed(1)}" cy="${b.toFixed(1)}" r="3" fill="${s.color}"/>`,
      ),
    );
  }
  return parts.join('\n');
}

/** The fairness loop: the largest worker's share (against 1/N) and the hand-off median, as plain SVG. */
export function renderChart(cells: readonly FairnessCell[]): string {
  const xs = [...new Set(cells.map((c) => c.workers))].sort((a, b) => a - b);
  const series = (pick: (c: FairnessCell) => number): Series[] =>
    FAIR_VARIANTS.map(({ key, label }) => ({
      label,
      color: COLORS[key],
      points: cells.filter((c) => c.variant === key).map((c) => [c.workers, pick(c)] as [number, number]),
    }));
  const equal: Series = { label: '1/N', color: '#888', dashed: true, points: xs.map((n) => [n, 1 / n]) };
  const legend = FAIR_VARIANTS.map(
    ({ key, label }, i) =>
      `<rect x="${20 + i * 210}" y="${H + 6}" width="14" height="4" fill="${COLORS[key]}"/>` +
      `<text x="${40 + i * 210}" y="${H + 12}">${esc(label)}</text>`,
  ).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H + 24}" font-family="sans-serif" font-size="11">`,
    '<rect width="100%" height="100%" fill="#fff"/>',
    panel(
      'largest worker’s share of grants (dashed: 1/N)',
      xs,
      [...series((c) => c.stats.maxShare), equal],
      0,
    ),
    panel(
      'hand-off to a waiting process, median ms',
      xs,
      series((c) => handoffPercentiles(c.stats.handoffs).p50),
      W,
    ),
    legend,
    '</svg>',
    '',
  ].join('\n');
}
