import type { ContentionCell } from './scenarios/contention.js';
import { VARIANTS, type VariantKey } from './variants.js';

const COLORS: Record<VariantKey, string> = {
  'gcs-lock': '#1a73e8',
  'gcs-lock-fast': '#34a853',
  classic: '#d93025',
  'classic-1req': '#f29900',
};
const W = 420;
const H = 300;
const PAD = { left: 56, right: 16, top: 36, bottom: 44 };

/** A round axis maximum: 1, 2 or 5 times a power of ten, at or above `value`. */
function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].find((m) => m * power >= value) ?? 10) * power;
}

const esc = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** One panel: a line per variant over the contention levels (log2-spaced x axis). */
function panel(
  cells: readonly ContentionCell[],
  title: string,
  pick: (c: ContentionCell) => number,
  dx: number,
): string {
  const levels = [...new Set(cells.map((c) => c.processes))].sort((a, b) => a - b);
  const values = cells.map(pick).filter(Number.isFinite);
  const top = niceMax(Math.max(...values, 0));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const span = Math.max(1, Math.log2(levels.at(-1) ?? 1) - Math.log2(levels[0] ?? 1));
  const x = (n: number): number =>
    dx + PAD.left + ((Math.log2(n) - Math.log2(levels[0] ?? 1)) / span) * plotW;
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
  for (const n of levels) {
    parts.push(`<text x="${x(n)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${n}</text>`);
  }
  parts.push(
    `<text x="${dx + PAD.left + plotW / 2}" y="${H - 8}" text-anchor="middle">contending processes</text>`,
  );
  for (const { key } of VARIANTS) {
    const points = levels
      .map((n) => cells.find((c) => c.variant === key && c.processes === n))
      .filter((c): c is ContentionCell => c !== undefined && Number.isFinite(pick(c)))
      .map((c) => [x(c.processes), y(pick(c))] as const);
    if (points.length === 0) continue;
    parts.push(
      `<polyline fill="none" stroke="${COLORS[key]}" stroke-width="2" points="${points.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' ')}"/>`,
      ...points.map(
        ([a, b]) => `<circle cx="${a.toFixed(1)}" cy="${b.toFixed(1)}" r="3" fill="${COLORS[key]}"/>`,
      ),
    );
  }
  return parts.join('\n');
}

/** Hand-off latency and writes per acquisition against contention, side by side, as plain SVG. */
export function renderChart(cells: readonly ContentionCell[]): string {
  const legend = VARIANTS.map(
    ({ key, label }, i) =>
      `<rect x="${60 + i * 205}" y="${H + 6}" width="14" height="4" fill="${COLORS[key]}"/>` +
      `<text x="${80 + i * 205}" y="${H + 12}">${esc(label)}</text>`,
  ).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H + 24}" font-family="sans-serif" font-size="11">`,
    '<rect width="100%" height="100%" fill="#fff"/>',
    panel(cells, 'hand-off latency, median ms', (c) => (c.handoffs ? c.handoffMedian : Number.NaN), 0),
    panel(cells, 'writes per acquisition', (c) => c.writesPerAcq, W),
    legend,
    '</svg>',
    '',
  ].join('\n');
}
