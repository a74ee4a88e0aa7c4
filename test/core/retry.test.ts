import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { StorageError } from '../../src/errors/storage-error.js';
import { retryDelay, retryTransient } from '../../src/core/retry.js';
import { monotonicNow } from '../../src/util/clock.js';
import { useFakeClock } from '../helpers/memory-lock.js';

beforeEach(useFakeClock);
afterEach(() => vi.useRealTimers());

const failure = (status: number | undefined) => new StorageError('GET gs://b/o', status, 'failed');

describe('retryTransient', () => {
  it('retries 408, 429, 5xx and transport failures until success', async () => {
    const statuses = [undefined, 408, 429, 500, 503];
    const request = vi.fn(async () => {
      if (statuses.length > 0) throw failure(statuses.shift());
      return 'ok';
    });
    const result = retryTransient(request, { until: monotonicNow() + 60_000 });
    await vi.advanceTimersByTimeAsync(60_000);
    await expect(result).resolves.toBe('ok');
    expect(request).toHaveBeenCalledTimes(6);
  });

  it.each([400, 401, 403, 404, 412])('does not retry %i', async (status) => {
    const request = vi.fn(() => Promise.reject(failure(status)));
    await expect(retryTransient(request, { until: monotonicNow() + 60_000 })).rejects.toMatchObject({
      status,
    });
    expect(request).toHaveBeenCalledTimes(1);
  });

  it('throws the last transient error once no retry fits before the deadline', async () => {
    const onRetry = vi.fn();
    const request = vi.fn(() => Promise.reject(failure(503)));
    const result = retryTransient(request, { until: monotonicNow() + 3_000, onRetry }).catch(
      (error: unknown) => error,
    );
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await result).toMatchObject({ status: 503 });
    expect(request.mock.calls.length).toBeGreaterThan(1);
    expect(onRetry).toHaveBeenCalledTimes(request.mock.calls.length - 1);
  });

  it('stops waiting when the signal aborts', async () => {
    const controller = new AbortController();
    const request = vi.fn(() => Promise.reject(failure(503)));
    const result = retryTransient(request, { until: Infinity, signal: controller.signal }).catch(
      (error: unknown) => error,
    );
    await vi.advanceTimersByTimeAsync(0);
    controller.abort(new Error('stop'));
    expect(await result).toMatchObject({ message: 'stop' });
  });
});

describe('retryDelay', () => {
  it('starts a rate-limited request at a second, others at 200 ms', () => {
    expect(retryDelay(0, failure(429))).toBeGreaterThanOrEqual(500);
    expect(retryDelay(0, failure(503))).toBeLessThanOrEqual(200);
    expect(retryDelay(10, failure(429))).toBeLessThanOrEqual(5_000);
    expect(retryDelay(0, failure(503), 200, 5_000)).toBeGreaterThanOrEqual(100);
  });
});
