import { StorageError } from '../errors/storage-error.js';

/** A response read in full: status, headers and body text. */
export interface RawResponse {
  status: number;
  statusText: string;
  headers: Headers;
  text: string;
}

/**
 * Runs `work` (getting credentials, then one fetch and reading its body) under one deadline and the
 * caller's signal. On the caller's abort it rejects with `signal.reason`, exactly; on the deadline,
 * with a retryable `StorageError` (status `undefined`).
 *
 * Own controller and `setTimeout` rather than `AbortSignal.any([signal, AbortSignal.timeout()])`:
 * `any` needs Node 20.3, held every composed signal alive until its sources were collected on some
 * Node 20 releases, and a timeout signal's timer cannot be cleared: a thousand locks would leave a
 * thousand pending timers behind finished requests. Here the timer and the listener go in `finally`.
 *
 * @example
 * ```ts
 * const response = await withDeadline('GET gs://b/o', 10_000, signal, (s) => fetch(url, { signal: s }));
 * ```
 */
export async function withDeadline<T>(
  operation: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  signal?.throwIfAborted();
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error('request timeout'));
  }, timeoutMs);
  const onAbort = (): void => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  // `work` may await something that ignores signals (a user's auth client): race it with the abort.
  let rejectAborted: (reason: unknown) => void = () => {};
  const aborted = new Promise<never>((_, reject) => (rejectAborted = reject));
  const onControllerAbort = (): void => rejectAborted(controller.signal.reason);
  controller.signal.addEventListener('abort', onControllerAbort, { once: true });
  try {
    return await Promise.race([work(controller.signal), aborted]);
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (timedOut) {
      throw new StorageError(
        operation,
        undefined,
        `no complete response within ${timeoutMs} ms (requestTimeout)`,
      );
    }
    throw error;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    controller.signal.removeEventListener('abort', onControllerAbort);
    // The race's loser must not surface as an unhandled rejection.
    aborted.catch(() => {});
  }
}

/**
 * Describes a fetch transport failure (no response) as a retryable `StorageError`, with the system
 * error code (`ECONNREFUSED`, `ECONNRESET`, `UND_ERR_SOCKET`...) in the message and the error as
 * `cause`. A TLS error against a plain-HTTP server gets a hint: a scheme-less `STORAGE_EMULATOR_HOST`
 * means https, as in the official client.
 *
 * @example
 * ```ts
 * throw transportError('GET gs://b/o', 'https://127.0.0.1:4443', error);
 * ```
 */
export function transportError(operation: string, url: string, error: unknown): StorageError {
  const code = errorCode(error);
  let message = `no response (${code ?? (error instanceof Error ? error.message : String(error))})`;
  if (url.startsWith('https:') && code !== undefined && /SSL|TLS|EPROTO|CERT/i.test(code)) {
    message += '; if the server speaks plain HTTP, write http:// in the endpoint or STORAGE_EMULATOR_HOST';
  }
  return new StorageError(operation, undefined, message, { cause: error });
}

function errorCode(error: unknown): string | undefined {
  // fetch wraps the socket error: TypeError('fetch failed', { cause: { code: 'ECONNRESET' } }).
  for (let current = error, depth = 0; current !== undefined && depth < 4; depth += 1) {
    if (typeof current !== 'object' || current === null) return undefined;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
