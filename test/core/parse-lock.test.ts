import { describe, expect, it } from 'vitest';
import { lockBody, lockMetadata, META, parseLockObject, type Holder } from '../../src/core/lock-object.js';
import type { StoredObject } from '../../src/store/object-store.js';

const holder: Holder = {
  ownerToken: 'owner-secret',
  ttl: 30_000,
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

describe('lock object format', () => {
  it('round-trips holder, ttl and times, with expiry judged on the server clock', () => {
    const result = parseLockObject(URL, stored(lockMetadata(holder)), 1_000_000 + 10_000);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.lock).toMatchObject({
      ownerToken: 'owner-secret',
      generation: '1764301234567890',
      metageneration: '3',
      refreshCount: 0,
    });
    expect(result.lock.info).toMatchObject({
      url: URL,
      token: '1764301234567890',
      host: 'builder-7',
      pid: 4242,
      description: 'deploy',
      ttl: 30_000,
      expiresInMs: 20_000,
      expired: false,
    });
    expect(result.lock.info.acquiredAt.getTime()).toBe(900_000);
    expect(result.lock.info.expiresAt.getTime()).toBe(1_030_000);
    expect(JSON.stringify(result.lock.info)).not.toContain('owner-secret');
  });

  it('judges a lease expired only once the server time is past updated + ttl', () => {
    const at = (serverTime: number) => parseLockObject(URL, stored(lockMetadata(holder)), serverTime);
    const expired = (serverTime: number) => {
      const result = at(serverTime);
      return result.ok && result.lock.info.expired;
    };
    expect(expired(1_030_000)).toBe(false);
    expect(expired(1_030_001)).toBe(true);
  });

  it('never judges a lease expired without a server time', () => {
    const result = parseLockObject(URL, stored(lockMetadata(holder), 0), undefined);
    expect(result.ok && result.lock.info.expired).toBe(false);
  });

  it.each([
    [{}, `metadata ${META.version} is missing`],
    [{ [META.version]: '2', [META.owner]: 'x', [META.ttl]: '1000' }, 'expected "1"'],
    [{ [META.version]: '1', [META.ttl]: '1000' }, `metadata ${META.owner} is missing`],
    [{ [META.version]: '1', [META.owner]: 'x' }, 'expected a positive integer'],
    [{ [META.version]: '1', [META.owner]: 'x', [META.ttl]: '-5' }, 'expected a positive integer'],
    [{ [META.version]: '1', [META.owner]: 'x', [META.ttl]: '1e3' }, 'expected a positive integer'],
  ])('says what is wrong with a malformed object: %j', (metadata, problem) => {
    const result = parseLockObject(URL, stored(metadata), 0);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toContain(problem);
  });

  it('keeps custom metadata well inside GCS limits and writes a readable body', () => {
    const metadata = lockMetadata({ ...holder, description: 'x'.repeat(1024) });
    const bytes = Object.entries(metadata).reduce(
      (sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v),
      0,
    );
    expect(bytes).toBeLessThan(8 * 1024);
    const body = JSON.parse(lockBody(holder)) as Record<string, unknown>;
    expect(body).toEqual({
      lock: 'gcs-lock',
      version: 1,
      host: 'builder-7',
      pid: 4242,
      description: 'deploy',
      ttl: 30_000,
    });
    expect(lockBody(holder)).not.toContain('owner-secret');
  });
});
