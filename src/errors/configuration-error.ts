import { GcsLockError } from './gcs-lock-error.js';

/**
 * Bad input: an invalid bucket or object name, a TTL of zero or NaN, an option of the wrong type, a
 * missing credential. Never retried; the message names the input and what would be valid.
 *
 * @example
 * ```ts
 * new Lock('gs://Bad_Bucket/x'); // throws ConfigurationError: bucket name "Bad_Bucket" ...
 * ```
 */
export class ConfigurationError extends GcsLockError {
  override name = 'ConfigurationError';
  readonly code = 'INVALID_CONFIGURATION';
  /** The option or input that was rejected, e.g. `ttl` or `bucket`. */
  readonly option: string;

  constructor(option: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.option = option;
  }
}
