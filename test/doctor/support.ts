import { afterAll, beforeAll } from 'vitest';
import type { BucketSettings } from '../../src/server/engine/bucket-config.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { GcsStore } from '../../src/store/gcs-store.js';

/** A local GCS server for one test file, reached over HTTP, and fresh buckets with chosen settings. */
export interface DoctorServer {
  readonly server: RunningServer;
  readonly store: GcsStore;
  /** A new bucket with GCS's defaults, except soft delete off (so only what a test sets stands out). */
  bucket(settings?: Partial<BucketSettings>): string;
}

/** Starts the server before the file's tests and stops it after them. */
export function doctorServer(prefix: string): DoctorServer {
  let server: RunningServer | undefined;
  let store: GcsStore | undefined;
  let sequence = 0;
  beforeAll(async () => {
    server = await startServer();
    store = new GcsStore({ endpoint: server.url });
  });
  afterAll(() => server?.close());
  return {
    get server() {
      return server!;
    },
    get store() {
      return store!;
    },
    bucket(settings = {}) {
      const name = `${prefix}-${++sequence}`;
      server!.engine.createBucket(name, { softDeleteRetentionSeconds: 0, ...settings });
      return name;
    },
  };
}
