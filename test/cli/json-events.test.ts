import { describe, expect, it } from 'vitest';
import { eventToJson } from '../../src/cli/json-events.js';
import { LockLostError } from '../../src/errors/lock-lost-error.js';
import { StorageError } from '../../src/errors/storage-error.js';

describe('eventToJson', () => {
  const now = new Date('2025-01-01T00:00:00Z');

  it('is one line with time and event first', () => {
    const line = eventToJson({ type: 'child-exited', code: 3, signal: null }, now);
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({
      time: '2025-01-01T00:00:00.000Z',
      event: 'child-exited',
      code: 3,
      signal: null,
    });
  });

  it('keeps the useful fields of errors, which JSON.stringify would drop', () => {
    const lost = new LockLostError('gs://b/o', '17', 'expired', 'no refresh succeeded');
    const parsed = JSON.parse(
      eventToJson({ type: 'lost', url: 'gs://b/o', token: '17', error: lost }, now),
    ) as {
      error: Record<string, unknown>;
    };
    expect(parsed.error).toMatchObject({
      name: 'LockLostError',
      code: 'LOCK_LOST',
      reason: 'expired',
      token: '17',
    });
    const failed = new StorageError('PATCH gs://b/o', 503, 'unavailable');
    const line = eventToJson(
      { type: 'refresh-failed', url: 'gs://b/o', token: '17', error: failed, retryInMs: 100 },
      now,
    );
    expect(JSON.parse(line)).toMatchObject({ error: { name: 'StorageError', status: 503 } });
  });
});
