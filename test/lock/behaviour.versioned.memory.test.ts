/**
 * The shared lock suites again, on a bucket with Object Versioning: every grant that replaces the
 * lock object, and every deleted ticket, leaves a noncurrent version, and `ifGenerationMatch` (0
 * included) must still look at the live version only.
 */
import { afterAll, expect } from 'vitest';
import { StorageEngine } from '../../src/server/engine/engine.js';
import { MemoryStore } from '../../src/testing/memory-store.js';
import type { Backend } from '../shared/lock-behaviour.js';
import { lockSuites } from '../shared/suites.js';

const BUCKET = 'behaviour-versioned';
const engine = new StorageEngine({ buckets: [{ name: BUCKET, versioning: true }] });
const store = new MemoryStore({ engine });
const backend = (): Backend => ({
  store,
  engine,
  faults: store.faults,
  bucket: BUCKET,
  peer: () => new MemoryStore({ engine, faults: store.faults }),
});

lockSuites('MemoryStore, versioned bucket', backend);

afterAll(() => {
  // The suites ran on a bucket that really kept versions.
  expect(engine.getBucket(BUCKET).settings.versioning).toBe(true);
  expect(engine.getBucket(BUCKET).noncurrent.size).toBeGreaterThan(0);
});
