/**
 * The base class of every error gcs-lock throws, so one `instanceof` check catches them all.
 *
 * @example
 * ```ts
 * try {
 *   await lock.acquire();
 * } catch (error) {
 *   if (error instanceof GcsLockError) console.error(error.code, error.message);
 * }
 * ```
 */
export abstract class GcsLockError extends Error {
  /** A stable, machine-readable identifier of the kind of failure. */
  abstract readonly code: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}
