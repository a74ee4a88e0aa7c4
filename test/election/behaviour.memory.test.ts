import { StorageEngine } from '../../src/server/engine/engine.js';
import { MemoryStore } from '../../src/testing/memory-store.js';
import { electionBehaviour } from '../shared/election-behaviour.js';

const engine = new StorageEngine({ buckets: ['behaviour'] });
const store = new MemoryStore({ engine });
// Every peer shares the engine and the fault plan, so that faults reach every "process".

electionBehaviour('MemoryStore', () => ({
  store,
  engine,
  faults: store.faults,
  bucket: 'behaviour',
  peer: () => new MemoryStore({ engine, faults: store.faults }),
}));
