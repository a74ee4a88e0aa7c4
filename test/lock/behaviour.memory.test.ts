import { StorageEngine } from '../../src/server/engine/engine.js';
import { MemoryStore } from '../../src/testing/memory-store.js';
import type { Backend } from '../shared/lock-behaviour.js';
import { lockSuites } from '../shared/suites.js';

const engine = new StorageEngine({ buckets: ['behaviour'] });
const store = new MemoryStore({ engine });
// Every peer shares the engine and the fault plan, so that faults reach every "process".
const backend = (): Backend => ({
  store,
  engine,
  faults: store.faults,
  bucket: 'behaviour',
  peer: () => new MemoryStore({ engine, faults: store.faults }),
});

lockSuites('MemoryStore', backend);
