import { StorageEngine } from '../../src/server/engine/engine.js';
import { MemoryStore } from '../../src/testing/memory-store.js';
import { lockBehaviour } from '../shared/lock-behaviour.js';
import { lockEdges } from '../shared/lock-edges.js';

const engine = new StorageEngine({ buckets: ['behaviour'] });
const store = new MemoryStore({ engine });

lockBehaviour('MemoryStore', () => ({ store, engine, faults: store.faults, bucket: 'behaviour' }));
lockEdges('MemoryStore', () => ({ store, engine, faults: store.faults, bucket: 'behaviour' }));
