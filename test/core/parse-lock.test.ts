import { describe, expect, it } from 'vitest';
import { firstFence, grantMetadata, META, type Holder } from '../../src/core/lock-object.js';
import { parseLockObject } from '../../src/core/parse-lock.js';
import type { StoredObject } from '../../src/store/object-store.js';

const holder: Holder = {
  ownerToken: 'owner-secret',
  ttl: 30_000,
  refreshInterval: 7_500,
  host: 'builder-7',
  pid: 4242,
  description: 'deploy',
};
const URL = 'gs://locks/deploy';

function stored(metadata: Record<string, string>, updated = 1_000_000): StoredObject {
  return {
    bucket: 'locks',
    name: 'deploy',
    generation: '1764301234567890',
    metageneration: '3',
    timeCreated: 900_000,
    updated,
    metadata,
  };
}

describe('lock object format (version 2)', () => {
  it('round-trips holder, fence, ttl and times, with expiry judged on the server clock', () => {
    const result = parseLockObject(URL, stored(grantMetadata(holder, 42n, false)), 1_000_000 + 10_000);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.record).toMatchObject({
      format: 2,
      kind: 'lock',
      state: 'held',
      fence: 42n,
      ownerToken: 'owner-secret',
      generation: '1764301234567890',
      metageneration: '3',
      refreshCount: 0,
      queued: false,
    });
    expect(result.record.info).toMatchObject({
      url: URL,
      token: '42',
      generation: '1764301234567890',
      host: 'builder-7',
      pid: 4242,
      description: 'deploy',
      ttl: 30_000,
      refreshInterval: 7_500,
      expiresInMs: 20_000,
      expired: false,
    });
    expect(result.record.info.acquiredAt.getTime()).toBe(900_000);
    expect(result.record.info.expiresAt.getTime()).toBe(1_030_000);
    expect(JSON.stringify(result.record.info)).not.toContain('owner-secret');
  });

  it('judges a held lease expired only once the server time is past updated + ttl', () => {
    const expired = (serverTime: number) => {
      const result = parseLockObject(URL, stored(grantMetadata(holder, 1n, false)), serverTime);
      return result.ok && result.record.info.expired;
    };
    expect(expired(1_030_000)).toBe(false);
    expect(expired(1_030_001)).toBe(true);
  });

  it('never judges a released lock expired: it is free', () => {
    const metadata = { ...grantMetadata(holder, 1n, true), [META.state]: 'released' };
    const result = parseLockObject(URL, stored(metadata), 9_000_000);
    expect(result.ok && result.record).toMatchObject({
      state: 'released',
      queued: true,
      info: { expired: false },
    });
  });

  it('never judges a lease expired without a server time', () => {
    const result = parseLockObject(URL, stored(grantMetadata(holder, 1n, false), 0), undefined);
    expect(result.ok && result.record.info.expired).toBe(false);
  });

  it("reads 0.1's objects as held, with the generation as their fence", () => {
    const v1 = { [META.version]: '1', [META.owner]: 'old', [META.ttl]: '60000', [META.refresh]: '4' };
    const result = parseLockObject(URL, stored(v1), 1_000_000);
    expect(result.ok && result.record).toMatchObject({
      format: 1,
      state: 'held',
      fence: 1764301234567890n,
      refreshCount: 4,
      info: { token: '1764301234567890', refreshInterval: undefined },
    });
  });

  it('reads a ticket as a ticket, so that a lock never mistakes one for itself', () => {
    const result = parseLockObject(URL, stored(grantMetadata({ ...holder, kind: 'ticket' }, 1n, false)), 0);
    expect(result.ok && result.record.kind).toBe('ticket');
  });

  const v2 = {
    [META.version]: '2',
    [META.state]: 'held',
    [META.owner]: 'x',
    [META.ttl]: '1000',
    [META.fence]: '5',
  };
  it.each([
    [{}, `metadata ${META.version} is missing`],
    [{ ...v2, [META.version]: '3' }, 'expected "1" or "2"'],
    [{ [META.version]: '1', [META.ttl]: '1000' }, `metadata ${META.owner} is missing`],
    [{ [META.version]: '1', [META.owner]: 'x' }, 'expected a positive integer'],
    [{ ...v2, [META.ttl]: '-5' }, 'expected a positive integer'],
    [{ ...v2, [META.ttl]: '30000.000000000004' }, 'expected a positive integer'],
    [{ ...v2, [META.state]: 'maybe' }, 'expected "held" or "released"'],
    [{ ...v2, [META.fence]: '0' }, `metadata ${META.fence} is "0"`],
    [{ ...v2, [META.fence]: undefined as unknown as string }, `metadata ${META.fence} is ""`],
    [{ ...v2, [META.refresh]: '1.5' }, `metadata ${META.refresh}`],
    [{ ...v2, [META.kind]: 'semaphore-ish' }, `metadata ${META.kind}`],
  ])('says what is wrong with a malformed object: %j', (metadata, problem) => {
    const clean = Object.fromEntries(Object.entries(metadata).filter(([, value]) => value !== undefined));
    const result = parseLockObject(URL, stored(clean), 0);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toContain(problem);
  });

  it('keeps custom metadata well inside GCS limits', () => {
    const metadata = grantMetadata({ ...holder, description: 'x'.repeat(1024) }, 10n ** 30n, true);
    const bytes = Object.entries(metadata).reduce(
      (sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v),
      0,
    );
    expect(bytes).toBeLessThan(8 * 1024);
  });

  it('starts a fence chain at the server clock in microseconds, above any chain before it', () => {
    expect(firstFence(1_764_301_234_567)).toBe(1_764_301_234_567_000n);
    expect(firstFence(0)).toBe(1n);
    // A chain grows by one per grant: a thousand grants a second would still trail the clock.
    expect(firstFence(1_764_301_235_567) > firstFence(1_764_301_234_567) + 1000n).toBe(true);
  });
});
