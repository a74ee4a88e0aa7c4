import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  REMIND_EVERY_MS,
  SLOW_AFTER_MS,
  StorageNotice,
  type RetryingEvent,
} from '../../src/cli/storage-notice.js';
import { StorageError } from '../../src/errors/storage-error.js';

const retrying = (attempt: number): RetryingEvent => ({
  type: 'retrying',
  url: 'gs://b/o',
  operation: 'POST gs://b/o',
  error: new StorageError('POST gs://b/o', undefined, 'no response (ECONNREFUSED)'),
  attempt,
  retryInMs: 400,
});

describe('StorageNotice', () => {
  let now = 0;
  let said: string[];
  let notice: StorageNotice;
  beforeEach(() => {
    vi.useFakeTimers();
    now = 0;
    said = [];
    notice = new StorageNotice(
      (message) => said.push(message),
      () => now,
    );
  });
  afterEach(() => vi.useRealTimers());

  it('says what is retried at the first retry, then only every 30 s, and once when storage answers', () => {
    notice.retrying(retrying(1));
    expect(said).toEqual([
      'storage is failing, retrying: POST gs://b/o: no response (ECONNREFUSED); next attempt in 400ms',
    ]);
    for (let attempt = 2; attempt < 20; attempt++) {
      now += 1000;
      notice.retrying(retrying(attempt));
    }
    expect(said).toHaveLength(1);
    now = REMIND_EVERY_MS;
    notice.retrying(retrying(20));
    expect(said[1]).toBe(
      'storage still failing after 20 attempts: POST gs://b/o: no response (ECONNREFUSED)',
    );
    notice.answered();
    expect(said[2]).toBe('storage answers again (after 20 failed attempts)');
    notice.answered();
    expect(said).toHaveLength(3);
    notice.retrying(retrying(1)); // a new outage is announced again
    expect(said).toHaveLength(4);
  });

  it('says within seconds that the first request has no answer yet, naming the endpoint', () => {
    notice.expectAnswer({ endpoint: 'http://127.0.0.1:9/', requestTimeout: 30_000 });
    vi.advanceTimersByTime(SLOW_AFTER_MS - 1);
    expect(said).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(said).toEqual([
      'no answer from storage at http://127.0.0.1:9 after 2.0s; still trying (a request is given up after 30.0s, then retried; --request-timeout changes that)',
    ]);
  });

  it('says nothing when the answer comes in time', () => {
    notice.expectAnswer({ endpoint: 'http://127.0.0.1:9', requestTimeout: undefined });
    notice.answered();
    vi.advanceTimersByTime(SLOW_AFTER_MS * 10);
    expect(said).toEqual([]);
  });
});
