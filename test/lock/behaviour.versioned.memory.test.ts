/**
 * The shared lock behaviour and edge cases again, on a bucket with Object Versioning: every grant that
 * replaces the lock object, and every deleted ticket, leaves a noncurrent version, and
 * `ifGenerationMatch` (0 included) must still look at the live version only.
 */
import { afterAll, expect, it } from 'vitest';
import { StorageEngine } from '../../src/server/engine/engine.js';
import { MemoryStore } from '../../src/testing/memory-store.js';
import { lockBehaviour } from '../shared/lock-behaviour.js';
import { lockEdges } from '../shared/lock-edges.js';

const engine = new StorageEngine({ buckets: [{ name: 'behaviour-versioned', versioning: true }] });
const store = new MemoryStore({ engine });
const backend = () => ({ store, engine, faults: store.faults, bucket: 'behaviour-versioned' });

lockBehaviour('MemoryStore, versioned bucket', backend);
lockEdges('MemoryStore, versioned bucket', backend);

afterAll(() => {
  // The suites ran on a bucket that really kept versions.
  expect(engine.getBucket('behaviour-versioned').noncurrent.size).toBeGreaterThan(0);
});
it('runs on a versioned bucket', () => {
  expect(engine.getBucket('behaviour-versioned').settings.versioning).toBe(true);
});
