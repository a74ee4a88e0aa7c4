/**
 * The shared lock suites over HTTP against a local GCS server whose bucket has Object Versioning on:
 * noncurrent versions pile up beside every lock object, and nothing changes for the lock.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { GcsStore } from '../../src/store/gcs-store.js';
import type { Backend } from '../shared/lock-behaviour.js';
import { lockSuites } from '../shared/suites.js';

const BUCKET = 'behaviour-versioned';
let server: RunningServer;
let store: GcsStore;

beforeAll(async () => {
  server = await startServer({ buckets: [{ name: BUCKET, versioning: true }] });
  store = new GcsStore({ endpoint: server.url });
});
afterAll(async () => {
  // The suites ran on a bucket that really kept versions.
  expect(server.engine.getBucket(BUCKET).noncurrent.size).toBeGreaterThan(0);
  await server.close();
});

const backend = (): Backend => ({
  store,
  engine: server.engine,
  faults: server.faults,
  bucket: BUCKET,
  peer: () => new GcsStore({ endpoint: server.url }),
});

lockSuites('the local GCS server over HTTP, versioned bucket', backend);
