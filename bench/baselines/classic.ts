import { Storage } from '@google-cloud/storage';
import { pollDelay, sleep } from '../stats.js';

/**
 * The classic GCS lock recipe, as it is written by hand: create the object with
 * `ifGenerationMatch: 0`, retry while that answers 412, and release with an unconditional delete.
 * No lease, no owner check: what the recipe is, not what it should be.
 *
 * The official client's defaults are kept on purpose (resumable upload, its own retry of 429 and 5xx
 * for the conditional create, no retry for the unconditional delete); `resumable: false` is the one
 * knob a careful user turns, so the gap from the protocol and the gap from the defaults show apart.
 * Between 412s it waits on the same schedule gcs-lock polls with (250 ms doubling to 2 s, jittered),
 * so the comparison is of what each attempt costs, not of how eagerly each one retries.
 */
export class ClassicLock {
  readonly #storage: Storage;
  readonly #bucket: string;
  readonly #object: string;
  readonly #resumable: boolean;
  readonly #poll: { initial: number; max: number };

  constructor(
    endpoint: string,
    bucket: string,
    object: string,
    options: { resumable: boolean; poll?: { initial: number; max: number } },
  ) {
    // One Storage per "process", as separate machines would each have their own.
    this.#storage = new Storage({ apiEndpoint: endpoint, projectId: 'gcs-lock-bench' });
    this.#bucket = bucket;
    this.#object = object;
    this.#resumable = options.resumable;
    this.#poll = options.poll ?? { initial: 250, max: 2_000 };
  }

  /** Resolves when this caller created the object; rejects with the signal's reason when aborted. */
  async acquire(signal?: AbortSignal): Promise<void> {
    const file = this.#storage.bucket(this.#bucket).file(this.#object);
    for (let attempt = 0; attempt < 1_000_000; attempt++) {
      signal?.throwIfAborted();
      try {
        await file.save(JSON.stringify({ host: 'bench', pid: process.pid, at: Date.now() }), {
          preconditionOpts: { ifGenerationMatch: 0 },
          // The default is resumable; only the explicit one-request variant says otherwise.
          ...(this.#resumable ? {} : { resumable: false }),
        });
        return;
      } catch (error) {
        if ((error as { code?: unknown }).code !== 412) throw error;
      }
      await sleep(pollDelay(attempt, this.#poll.initial, this.#poll.max));
    }
    throw new Error('gave up after a million attempts');
  }

  /** The recipe's release: delete whatever is there. */
  async release(): Promise<void> {
    await this.#storage.bucket(this.#bucket).file(this.#object).delete();
  }
}
