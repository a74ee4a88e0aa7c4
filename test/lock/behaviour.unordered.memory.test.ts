import { StorageEngine } from '../../src/server/engine/engine.js';
import { MemoryStore } from '../../src/testing/memory-store.js';
import { lockSuites } from '../shared/suites.js';

// Generations unique but in no particular order, as GCS documents them: the lock must not care.
const engine = new StorageEngine({ buckets: ['behaviour'], generations: 'unordered' });
const store = new MemoryStore({ engine });

lockSuites('MemoryStore with unordered generations', () => ({
  store,
  engine,
  faults: store.faults,
  bucket: 'behaviour',
  peer: () => new MemoryStore({ engine, faults: store.faults }),
}));
