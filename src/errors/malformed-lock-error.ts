import { GcsLockError } from './gcs-lock-error.js';

/**
 * The object at the lock's path exists but is not a gcs-lock lock object (someone else wrote it, or
 * its metadata is damaged). gcs-lock never overwrites or deletes such an object: remove it by hand if
 * it is litter, or pick another object name.
 *
 * @example
 * ```ts
 * catch (error) {
 *   if (error instanceof MalformedLockError) console.error(error.problem);
 * }
 * ```
 */
export class MalformedLockError extends GcsLockError {
  override name = 'MalformedLockError';
  readonly code = 'MALFORMED_LOCK';
  /** The lock's URL, `gs://bucket/object`. */
  readonly url: string;
  /** The generation of the object found there. */
  readonly generation: string;
  /** What is wrong with it, e.g. `metadata gcs-lock-ttl is missing`. */
  readonly problem: string;

  constructor(url: string, generation: string, problem: string, options?: ErrorOptions) {
    super(
      `${url} (generation ${generation}) is not a gcs-lock lock object: ${problem}. ` +
        'gcs-lock will not overwrite or delete it; remove it by hand if it is litter, or use another object name',
      options,
    );
    this.url = url;
    this.generation = generation;
    this.problem = problem;
  }
}
