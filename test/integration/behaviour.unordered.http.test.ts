import { afterAll, beforeAll } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { GcsStore } from '../../src/store/gcs-store.js';
import { lockSuites } from '../shared/suites.js';

let server: RunningServer;
let store: GcsStore;

// Generations unique but in no particular order, as GCS documents them: the lock must not care.
beforeAll(async () => {
  server = await startServer({ buckets: ['behaviour'], generations: 'unordered' });
  store = new GcsStore({ endpoint: server.url });
});
afterAll(() => server.close());

lockSuites('the local GCS server over HTTP with unordered generations', () => ({
  store,
  engine: server.engine,
  faults: server.faults,
  bucket: 'behaviour',
  peer: () => new GcsStore({ endpoint: server.url }),
}));
