import { describe, expect, it } from 'vitest';
import { grantMetadata, META } from '../../src/core/lock-object.js';
import { parseLockObject } from '../../src/core/parse-lock.js';
import {
  headerMetadata,
  MAX_LIMIT,
  parseSemaphoreHeader,
  slotName,
  slotOf,
} from '../../src/core/semaphore-header.js';
import type { StoredObject } from '../../src/store/object-store.js';

const object = (metadata: Record<string, string>): StoredObject => ({
  name: 'limits/x',
  generation: '7',
  metageneration: '1',
  bucket: 'b',
  updated: 0,
  timeCreated: 0,
  metadata,
});

describe('the semaphore header', () => {
  it('round-trips its limit', () => {
    expect(parseSemaphoreHeader(object(headerMetadata(3)))).toEqual({ ok: true, limit: 3 });
    expect(parseSemaphoreHeader(object(headerMetadata(MAX_LIMIT)))).toEqual({ ok: true, limit: MAX_LIMIT });
  });

  it('says what an object is when it is not a header', () => {
    const lock = grantMetadata(
      { ownerToken: 'o', ttl: 1000, refreshInterval: 250, host: 'h', pid: 1, description: undefined },
      1n,
      false,
    );
    expect(parseSemaphoreHeader(object(lock))).toEqual({
      ok: false,
      problem: "it is a lock, not a semaphore's header",
    });
    expect(parseSemaphoreHeader(object({}))).toMatchObject({ problem: /not written by gcs-lock/ });
    expect(parseSemaphoreHeader(object({ ...lock, [META.kind]: 'ticket' }))).toMatchObject({
      problem: /waiter's ticket/,
    });
  });

  it('refuses a limit out of range and a foreign version', () => {
    for (const limit of ['0', '-1', '1.5', '', '1001', '01', 'x']) {
      expect(parseSemaphoreHeader(object({ ...headerMetadata(3), [META.limit]: limit }))).toMatchObject({
        ok: false,
        problem: expect.stringContaining(`expected an integer from 1 to ${MAX_LIMIT}`) as string,
      });
    }
    expect(parseSemaphoreHeader(object({ ...headerMetadata(3), [META.version]: '3' }))).toMatchObject({
      ok: false,
    });
  });

  it('is never read as a lock: a lock that meets it says it is a semaphore', () => {
    const parsed = parseLockObject('gs://b/limits/x', object(headerMetadata(3)), 0);
    expect(parsed).toEqual({
      ok: false,
      problem: `it is a semaphore's header (gcs-lock-limit "3"): use Semaphore`,
    });
  });

  it('names slots beside the header, and knows its own slots from anything else', () => {
    expect(slotName('limits/x', 2)).toBe('limits/x.slots/2');
    expect(slotOf('limits/x', 'limits/x.slots/2', 3)).toBe(2);
    expect(slotOf('limits/x', 'limits/x.slots/3', 3)).toBeUndefined();
    expect(slotOf('limits/x', 'limits/x.slots/02', 3)).toBeUndefined();
    expect(slotOf('limits/x', 'limits/x.slots/1/extra', 3)).toBeUndefined();
    expect(slotOf('limits/x', 'limits/xy.slots/1', 3)).toBeUndefined();
  });
});
