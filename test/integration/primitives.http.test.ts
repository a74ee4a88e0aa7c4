import { afterAll, beforeAll } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { GcsStore } from '../../src/store/gcs-store.js';
import { electionBehaviour } from '../shared/election-behaviour.js';
import type { PrimitiveBackend } from '../shared/primitive-helpers.js';
import { semaphoreBehaviour } from '../shared/semaphore-behaviour.js';

let server: RunningServer;
let store: GcsStore;

beforeAll(async () => {
  server = await startServer({ buckets: ['behaviour'] });
  store = new GcsStore({ endpoint: server.url });
});
afterAll(() => server.close());

const backend = (): PrimitiveBackend => ({
  store,
  engine: server.engine,
  faults: server.faults,
  bucket: 'behaviour',
  // Another "process": a store of its own, with its own connections and name state.
  peer: () => new GcsStore({ endpoint: server.url }),
});

electionBehaviour('the local GCS server over HTTP', backend);
semaphoreBehaviour('the local GCS server over HTTP', backend);
