/**
 * What the local server holds and how long it waits, at most: the bounds that keep a runaway or
 * hostile client from eating its memory or its connections. Every field has a default; raise the
 * ones your tests need through `startServer({ limits })` or the emulator's flags.
 *
 * @example
 * ```ts
 * // Tests that upload 200 MiB files: raise the object size (the upload buffer follows it).
 * await using server = await startServer({ limits: { maxObjectBytes: 256 * 1024 * 1024 } });
 * ```
 */
export interface ServerLimits {
  /**
   * Largest object an upload may create, in bytes (a simple upload's body, or a resumable session's
   * total); beyond it the upload is refused with 413 `uploadTooLarge`. @default 67108864 (64 MiB)
   */
  maxObjectBytes: number;
  /**
   * Bytes held in memory at once by request bodies being read and unfinished resumable uploads,
   * together; beyond it further bytes are refused with 503 (retryable) until some are released.
   * Objects already stored are not counted: they are the data you asked the server to keep.
   * @default 4 × maxObjectBytes (256 MiB)
   */
  maxBufferedBytes: number;
  /** Open TCP connections at once; one more is answered 503 and closed. @default 256 */
  maxConnections: number;
  /** Unfinished resumable upload sessions kept at once; the oldest is forgotten beyond it. @default 10000 */
  maxUploadSessions: number;
  /**
   * A resumable upload session not touched for this long is forgotten, with its bytes (GCS keeps one
   * for a week; a local server has no reason to). @default 3600000 (1 hour)
   */
  uploadSessionIdleMs: number;
  /** Time to receive a request's headers (slowloris); 408 after it. @default 10000 */
  headersTimeoutMs: number;
  /** Longest pause between two pieces of a request body; 408 after it. @default 10000 */
  bodyIdleTimeoutMs: number;
  /** Time to receive a whole request, headers and body; 408 after it. @default 120000 */
  requestTimeoutMs: number;
}

const MiB = 1024 * 1024;

/**
 * The defaults of every `ServerLimits` field.
 * @example
 * await startServer({ limits: { maxConnections: DEFAULT_LIMITS.maxConnections * 4 } });
 */
export const DEFAULT_LIMITS: Readonly<ServerLimits> = Object.freeze({
  maxObjectBytes: 64 * MiB,
  maxBufferedBytes: 256 * MiB,
  maxConnections: 256,
  maxUploadSessions: 10_000,
  uploadSessionIdleMs: 3_600_000,
  headersTimeoutMs: 10_000,
  bodyIdleTimeoutMs: 10_000,
  requestTimeoutMs: 120_000,
});

/** Largest body of a JSON API request (metadata, a bucket, a compose, a control call): no data rides in it. */
export const MAX_JSON_BODY_BYTES = 1 * MiB;

/**
 * The defaults with `overrides` applied and checked: each a positive integer, and no bound that
 * another makes unreachable. Throws a `TypeError` naming the field and the values that would be valid.
 */
export function resolveLimits(overrides: Partial<ServerLimits> = {}): ServerLimits {
  for (const [key, value] of Object.entries(overrides)) {
    if (!Object.hasOwn(DEFAULT_LIMITS, key)) {
      throw new TypeError(
        `limits.${key} is not a server limit: use ${Object.keys(DEFAULT_LIMITS).join(', ')}`,
      );
    }
    if (value !== undefined && (!Number.isSafeInteger(value) || value <= 0)) {
      throw new TypeError(`limits.${key} must be a positive integer, got ${String(value)}`);
    }
  }
  const maxObjectBytes = overrides.maxObjectBytes ?? DEFAULT_LIMITS.maxObjectBytes;
  const limits: ServerLimits = {
    ...DEFAULT_LIMITS,
    maxBufferedBytes: Math.max(DEFAULT_LIMITS.maxBufferedBytes, 4 * maxObjectBytes),
    ...definedOnly(overrides),
  };
  if (limits.maxBufferedBytes < limits.maxObjectBytes) {
    throw new TypeError(
      `limits.maxBufferedBytes (${limits.maxBufferedBytes}) must be at least limits.maxObjectBytes ` +
        `(${limits.maxObjectBytes}), or no upload of the largest object could ever be buffered`,
    );
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new TypeError(
      `limits.headersTimeoutMs (${limits.headersTimeoutMs}) must not exceed limits.requestTimeoutMs ` +
        `(${limits.requestTimeoutMs}): the headers are part of the request`,
    );
  }
  return limits;
}

function definedOnly(overrides: Partial<ServerLimits>): Partial<ServerLimits> {
  return Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
}
