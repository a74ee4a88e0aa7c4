import { startServer, type RunningServer } from '../../src/server/start-server.js';
import type { EngineObject } from '../../src/server/engine/engine.js';

export const BUCKET = 'cli-test';

/** A local server for one test file, and helpers to look at the lock objects in it. */
export async function lockServer(): Promise<
  RunningServer & {
    object(name: string): EngineObject | undefined;
    /** The lease currently held on `name`: its fencing token, or undefined when free or absent. */
    heldToken(name: string): string | undefined;
  }
> {
  const server = await startServer({ buckets: [BUCKET] });
  const object = (name: string): EngineObject | undefined =>
    server.engine.getBucket(BUCKET).objects.get(name);
  return Object.assign(server, {
    object,
    heldToken(name: string): string | undefined {
      const found = object(name);
      return found?.metadata['gcs-lock-state'] === 'held' ? found.metadata['gcs-lock-fence'] : undefined;
    },
  });
}
