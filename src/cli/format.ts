import type { LockInfo } from '../core/lock-info.js';
import { printable } from '../util/printable.js';

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

/**
 * A duration as it would be typed for an option, so that a message's advice can be copied:
 * `150ms`, `1.5s`, `30s`, `168h`.
 */
export function formatDurationOption(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000}m`;
  return ms % 1 === 0 && (ms % 1000) % 10 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * `host box pid 42 ("nightly report")`: who holds a lock, for one-line messages. The host and the
 * description are the holder's own words: control characters in them are escaped.
 */
export function formatHolder(info: LockInfo): string {
  const who = [
    info.host !== undefined && `host ${printable(info.host)}`,
    info.pid !== undefined && `pid ${info.pid}`,
  ]
    .filter(Boolean)
    .join(' ');
  const what = info.description ? ` (${quote(info.description)})` : '';
  return `${who || 'an unknown holder'}${what}`;
}

/** `"text"`, with its control characters escaped and its quotes too. */
export function quote(text: string): string {
  return `"${printable(text).replace(/"/g, '\\"')}"`;
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
