import type { LockEvent } from '../core/events.js';
import { resolveEndpoint } from '../store/endpoint.js';
import { DEFAULT_REQUEST_TIMEOUT } from '../store/gcs-store.js';
import { printableLines } from '../util/printable.js';
import { formatDuration } from './format.js';
import type { StoreSettings } from './store.js';

/** When to say that storage has not answered the first request yet. */
export const SLOW_AFTER_MS = 2_000;
/** How often to repeat, while storage keeps failing, that it still does. */
export const REMIND_EVERY_MS = 30_000;

/** The library's `retrying` event: a transient failure that it is about to retry. */
export type RetryingEvent = Extract<LockEvent, { type: 'retrying' }>;

/**
 * Unreachable or failing storage is never silent. The library retries transient failures (network
 * errors, 429, 5xx) for a long time on its own (a whole ttl, or the caller's wait): without a word,
 * a wrong port looked like a lock being waited for, for a minute. This says so once, at the first
 * retry; again every 30 s while the failures go on; and once when storage answers again. A request
 * that hangs without failing (a black-holed address) is reported too: after two seconds without any
 * answer to the first request, before its request timeout is up.
 */
export class StorageNotice {
  readonly #say: (message: string) => void;
  readonly #now: () => number;
  #failures = 0;
  #lastSaid = 0;
  #slowTimer: NodeJS.Timeout | undefined;
  #slowSaid = false;
  /** Told too when the first request has no answer yet (for `--json`, where `say` is silent). */
  onSlow: ((endpoint: string, afterMs: number) => void) | undefined;

  constructor(say: (message: string) => void, now: () => number = () => performance.now()) {
    this.#say = say;
    this.#now = now;
  }

  /** The first request is on its way: report it if nothing answers within `SLOW_AFTER_MS`. */
  expectAnswer(settings: StoreSettings): void {
    let where: string;
    try {
      where = resolveEndpoint({ endpoint: settings.endpoint }).base;
    } catch {
      return; // a bad endpoint is reported by the store itself
    }
    const requestTimeoutMs = settings.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT;
    this.#slowTimer = setTimeout(() => {
      this.#slowSaid = true;
      this.onSlow?.(where, SLOW_AFTER_MS);
      this.#say(
        `no answer from storage at ${where} after ${formatDuration(SLOW_AFTER_MS)}; still trying ` +
          `(a request is given up after ${formatDuration(requestTimeoutMs)}, then retried; --request-timeout changes that)`,
      );
    }, SLOW_AFTER_MS).unref();
  }

  /** The library is retrying a failed request. */
  retrying(event: RetryingEvent): void {
    this.#answered(false);
    this.#failures += 1;
    const now = this.#now();
    // The error's message names the request (POST gs://b/o: ...); the operation only when it does not.
    const { operation, error } = event;
    const what = error.message.startsWith(operation) ? error.message : `${operation}: ${error.message}`;
    if (this.#failures === 1) {
      this.#lastSaid = now;
      this.#say(`storage is failing, retrying: ${what}; next attempt in ${formatDuration(event.retryInMs)}`);
    } else if (now - this.#lastSaid >= REMIND_EVERY_MS) {
      this.#lastSaid = now;
      this.#say(`storage still failing after ${this.#failures} attempts: ${what}`);
    }
  }

  /** Storage answered (any event that needed an answer: contended, acquired, refreshed, released). */
  answered(): void {
    this.#answered(true);
  }

  /** The operation is over: no notice may come later. */
  stop(): void {
    clearTimeout(this.#slowTimer);
  }

  #answered(success: boolean): void {
    clearTimeout(this.#slowTimer);
    if (!success) return;
    if (this.#failures > 0) {
      this.#say(
        `storage answers again (after ${this.#failures} failed attempt${this.#failures > 1 ? 's' : ''})`,
      );
    } else if (this.#slowSaid) {
      this.#say('storage answered');
    }
    this.#failures = 0;
    this.#slowSaid = false;
  }
}

/**
 * A notice for a one-shot command (`status`, `list`): on stderr, started at once; feed it the lock's
 * events and stop it when the command has its answer.
 */
export function noticeFor(settings: StoreSettings): {
  onLockEvent: (event: LockEvent) => void;
  stop: () => void;
} {
  const notice = new StorageNotice((message) =>
    process.stderr.write(`${printableLines(`gcs-lock: ${message}`)}\n`),
  );
  notice.expectAnswer(settings);
  return {
    onLockEvent: (event) => {
      if (event.type === 'retrying') notice.retrying(event);
      else notice.answered();
    },
    stop: () => notice.stop(),
  };
}
