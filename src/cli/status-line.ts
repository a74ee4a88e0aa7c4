import type { LockInfo } from '../core/lock-info.js';
import { printable } from '../util/printable.js';
import { formatDuration, formatHolder } from './format.js';

/**
 * The one line shown while waiting on a terminal, rewritten in place once a second: who holds the
 * lock, how long we have waited, when the holder's lease expires. On anything but a TTY it writes
 * nothing at all, so logs and pipes never see carriage returns.
 */
export class StatusLine {
  readonly #stream: NodeJS.WriteStream;
  readonly #enabled: boolean;
  readonly #url: string;
  readonly #started = performance.now();
  #holder: LockInfo | undefined;
  /** performance.now() when the holder info was read, to count its "expires in" down. */
  #seenAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #shown = false;

  constructor(stream: NodeJS.WriteStream, url: string, options: { enabled?: boolean } = {}) {
    this.#stream = stream;
    this.#url = url;
    this.#enabled = (options.enabled ?? true) && stream.isTTY === true;
  }

  /** A fresh reading of the holder (from a `contended` event). */
  update(holder: LockInfo): void {
    if (!this.#enabled) return;
    this.#holder = holder;
    this.#seenAt = performance.now();
    this.#render();
    // unref: the line must never keep the process alive on its own.
    this.#timer ??= setInterval(() => this.#render(), 1000).unref();
  }

  /** Removes the line (before any other output, and once the wait is over). */
  clear(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#shown) this.#stream.write('\r\x1b[2K');
    this.#shown = false;
  }

  #render(): void {
    const holder = this.#holder;
    if (!holder) return;
    const now = performance.now();
    const expiresIn = holder.expiresInMs - (now - this.#seenAt);
    const expiry = expiresIn > 0 ? `expires in ${formatDuration(expiresIn)}` : 'expired, taking over soon';
    let line = printable(
      `gcs-lock: waiting for ${this.#url}, held by ${formatHolder(holder)}, token ${holder.token}; ` +
        `waited ${formatDuration(now - this.#started)}, ${expiry}`,
    );
    const columns = this.#stream.columns;
    if (columns && line.length >= columns) line = `${line.slice(0, columns - 2)}…`;
    this.#stream.write(`\r\x1b[2K${line}`);
    this.#shown = true;
  }
}
