import type { LockInfo } from '../core/lock-info.js';
import { printableLines } from '../util/printable.js';
import { formatDuration, formatHolder } from './format.js';
import { StatusLine } from './status-line.js';

/** How often a log (not a terminal) gets a line while `run` waits. */
export const LOG_INTERVAL_MS = 30_000;

/**
 * What `run` says while it waits for a held lock. On a terminal: the status line, rewritten in place.
 * Anywhere else (a CI log, a file, a pipe), where a rewritten line would be noise or nothing at all:
 * one line when the wait starts (who holds the lock, since when, until when), one every 30 s while it
 * lasts, one when the holder changes, and one when the lock is acquired. `-q` and `--json` silence it.
 */
export class WaitProgress {
  readonly #stream: NodeJS.WritableStream;
  readonly #url: string;
  readonly #statusLine: StatusLine | undefined;
  readonly #log: boolean;
  readonly #intervalMs: number;
  readonly #started = performance.now();
  #holder: LockInfo | undefined;
  /** performance.now() when the holder was read, to count its expiry down. */
  #seenAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #waited = false;

  constructor(stream: NodeJS.WriteStream, url: string, options: { enabled: boolean; intervalMs?: number }) {
    this.#stream = stream;
    this.#url = url;
    this.#intervalMs = options.intervalMs ?? LOG_INTERVAL_MS;
    const tty = stream.isTTY === true;
    this.#statusLine = options.enabled && tty ? new StatusLine(stream, url) : undefined;
    this.#log = options.enabled && !tty;
  }

  /** The lock is held by `holder` (a `contended` event: the first, or a new holder). */
  contended(holder: LockInfo): void {
    this.#statusLine?.update(holder);
    if (!this.#log) return;
    const first = !this.#waited;
    this.#waited = true;
    this.#holder = holder;
    this.#seenAt = performance.now();
    this.#write(
      `${first ? 'waiting for' : 'still waiting for'} ${this.#url}: held by ${describeHolder(holder)}`,
    );
    // unref: a progress line must never keep the process alive on its own.
    this.#timer ??= setInterval(() => this.#remind(), this.#intervalMs).unref();
  }

  /** The lock was acquired after waiting `waitedMs`. */
  acquired(token: string, waitedMs: number): void {
    this.clear();
    if (this.#log && this.#waited) {
      this.#write(`acquired ${this.#url} after ${formatDuration(waitedMs)} (token ${token})`);
    }
  }

  /** Before any other output, and once the wait is over. */
  clear(): void {
    this.#statusLine?.clear();
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #remind(): void {
    const holder = this.#holder;
    if (!holder) return;
    const now = performance.now();
    const expiresIn = holder.expiresInMs - (now - this.#seenAt);
    const expiry =
      expiresIn > 0
        ? `its lease expires in ${formatDuration(expiresIn)} unless refreshed`
        : 'its lease has expired: taking over';
    this.#write(
      `still waiting for ${this.#url} after ${formatDuration(now - this.#started)}: ` +
        `held by ${formatHolder(holder)}, token ${holder.token}; ${expiry}`,
    );
  }

  #write(message: string): void {
    this.#stream.write(`${printableLines(`gcs-lock: ${message}`)}\n`);
  }
}

/**
 * `host box pid 42 ("deploy"), token 17, since 10:00:00Z (3m12s ago); its lease expires at
 * 10:04:00Z (in 48s) unless refreshed`. Ages are on the server's clock, as expiry is, and never
 * negative (the server's `Date` has whole seconds, `updated` has milliseconds).
 */
export function describeHolder(holder: LockInfo): string {
  const serverNow = holder.expiresAt.getTime() - holder.expiresInMs;
  const since = `since ${holder.acquiredAt.toISOString()} (${formatAge(serverNow - holder.acquiredAt.getTime())} ago)`;
  const expiry =
    holder.expiresInMs > 0
      ? `its lease expires at ${holder.expiresAt.toISOString()} (in ${formatDuration(holder.expiresInMs)}) unless refreshed`
      : `its lease expired at ${holder.expiresAt.toISOString()}`;
  return `${formatHolder(holder)}, token ${holder.token}, ${since}; ${expiry}`;
}

/** An age for people, never negative: a clock read a little early counts as "just now". */
export function formatAge(ms: number): string {
  return formatDuration(Math.max(0, ms));
}
