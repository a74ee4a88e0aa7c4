import type { LockInfo } from '../core/lock-info.js';

/**
 * A duration for people: `850ms`, `4.2s`, `2m05s`, `3h20m`. Negative durations get a leading `-`
 * (an expired lease's "expires in").
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '∞';
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const totalSeconds = Math.round(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) return `${minutes}m${String(totalSeconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** `host box pid 42 ("nightly report")`: who holds a lock, for one-line messages. */
export function formatHolder(info: LockInfo): string {
  const who = [info.host !== undefined && `host ${info.host}`, info.pid !== undefined && `pid ${info.pid}`]
    .filter(Boolean)
    .join(' ');
  const what = info.description ? ` (${JSON.stringify(info.description)})` : '';
  return `${who || 'an unknown holder'}${what}`;
}

/** Lines of `key: value`, keys padded to one column. */
export function formatFields(fields: Array<[string, string]>): string {
  const width = Math.max(...fields.map(([key]) => key.length));
  return fields.map(([key, value]) => `${`${key}:`.padEnd(width + 1)} ${value}`).join('\n');
}

/** A plain-text table with padded columns; the last column is not padded. */
export function formatTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
