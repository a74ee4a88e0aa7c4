import { afterAll, beforeAll } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { GcsStore } from '../../src/store/gcs-store.js';
import { lockBehaviour } from '../shared/lock-behaviour.js';
import { lockEdges } from '../shared/lock-edges.js';

let server: RunningServer;
let store: GcsStore;

beforeAll(async () => {
  server = await startServer({ buckets: ['behaviour'] });
  store = new GcsStore({ endpoint: server.url });
});
afterAll(() => server.close());

lockBehaviour('the local GCS server over HTTP', () => ({
  store,
  engine: server.engine,
  faults: server.faults,
  bucket: 'behaviour',
}));

lockEdges('the local GCS server over HTTP', () => ({
  store,
  engine: server.engine,
  faults: server.faults,
  bucket: 'behaviour',
}));
