import { afterAll, beforeAll } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { GcsStore } from '../../src/store/gcs-store.js';
import type { Backend } from '../shared/lock-behaviour.js';
import { lockSuites } from '../shared/suites.js';
import { electionBehaviour } from '../shared/election-behaviour.js';
import { semaphoreBehaviour } from '../shared/semaphore-behaviour.js';

let server: RunningServer;
let store: GcsStore;

beforeAll(async () => {
  server = await startServer({ buckets: ['behaviour'] });
  store = new GcsStore({ endpoint: server.url });
});
afterAll(() => server.close());

const backend = (): Backend => ({
  store,
  engine: server.engine,
  faults: server.faults,
  bucket: 'behaviour',
  peer: () => new GcsStore({ endpoint: server.url }),
});

lockSuites('the local GCS server over HTTP', backend);
electionBehaviour('the local GCS server over HTTP', backend);
semaphoreBehaviour('the local GCS server over HTTP', backend);
