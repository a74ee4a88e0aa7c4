import { startServer, type RunningServer } from '../../src/server/start-server.js';
import type { EngineObject } from '../../src/server/engine/engine.js';

export const BUCKET = 'cli-test';

/** A local server for one test file, and helpers to look at the lock objects in it. */
export async function lockServer(): Promise<
  RunningServer & { object(name: string): EngineObject | undefined }
> {
  const server = await startServer({ buckets: [BUCKET] });
  return Object.assign(server, {
    object(name: string): EngineObject | undefined {
      return server.engine.getBucket(BUCKET).objects.get(name);
    },
  });
}
