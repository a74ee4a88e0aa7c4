import type { LockEvent } from '../core/events.js';
import { printableLines } from '../util/printable.js';
import { describeError } from './errors.js';
import { formatDuration, formatHolder } from './format.js';
import { JsonEventWriter, type CliEvent } from './json-events.js';
import { StorageNotice } from './storage-notice.js';
import { WaitProgress } from './wait-progress.js';

/**
 * Everything `gcs-lock run` tells its operator, on stderr (stdout is the command's): JSON-lines events
 * with `--json`; otherwise `say` (progress, silenced by `-q`) and `warn` (trouble, always shown),
 * the wait's progress and the storage notices. Every line goes through `printableLines`.
 */
export class RunOutput {
  readonly #json: JsonEventWriter | undefined;
  readonly #quiet: boolean;
  readonly progress: WaitProgress;
  readonly notice: StorageNotice;
  /** Wall-clock time of the last grant or refresh: the lease expires at most one ttl after it. */
  renewedAt: number | undefined;
  /** From a `release-failed` event: when the lock left behind expires (wall clock). */
  expiresAt: number | undefined;

  constructor(
    readonly url: string,
    options: { json: boolean; quiet: boolean },
  ) {
    this.#json = options.json ? new JsonEventWriter(process.stderr) : undefined;
    this.#quiet = options.quiet;
    this.progress = new WaitProgress(process.stderr, url, { enabled: !options.quiet && !this.#json });
    this.notice = new StorageNotice((message) => this.warn(message));
    this.notice.onSlow = (endpoint, afterMs) => this.emit({ type: 'no-answer-yet', endpoint, afterMs });
  }

  emit(event: CliEvent | LockEvent): void {
    this.#json?.write(event);
  }

  get json(): boolean {
    return this.#json !== undefined;
  }

  /** Trouble: always shown (as events instead, with --json). */
  warn(message: string): void {
    if (this.#json) return;
    this.progress.clear();
    process.stderr.write(`${printableLines(`gcs-lock: ${message}`)}\n`);
  }

  /** An error that ends the command: said once (an `error` event with --json); its exit code. */
  fail(error: unknown): number {
    this.progress.clear();
    const { message, exitCode } = describeError(error);
    if (this.#json) this.emit({ type: 'error', message, exitCode });
    else this.warn(message);
    return exitCode;
  }

  /** Progress: silenced by -q. */
  say(message: string): void {
    if (!this.#quiet) this.warn(message);
  }

  /** The lock's `onEvent`. */
  onLockEvent = (e: LockEvent): void => {
    this.emit(e);
    if (e.type === 'retrying') {
      this.notice.retrying(e);
      return;
    }
    if (e.type !== 'refresh-failed' && e.type !== 'lost' && e.type !== 'release-failed') {
      this.notice.answered();
    }
    if (e.type === 'acquired' || e.type === 'refreshed') this.renewedAt = Date.now();
    if (e.type === 'contended') this.progress.contended(e.holder);
    else if (e.type === 'acquired') this.progress.acquired(e.token, e.waitedMs);
    else if (e.type === 'took-over') {
      this.say(
        `took over ${this.url}: the lease of ${formatHolder(e.previous)} (token ${e.previous.token}) had expired`,
      );
    } else if (e.type === 'refresh-failed') {
      this.say(
        `refreshing the lease failed (${e.error.message}); retrying in ${formatDuration(e.retryInMs)}`,
      );
    } else if (e.type === 'release-failed') {
      this.expiresAt = Date.now() + Math.max(0, e.expiresInMs);
    }
  };
}
