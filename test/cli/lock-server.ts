import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { FaultRule } from '../../src/server/fault-plan.js';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import type { EngineObject } from '../../src/server/engine/engine.js';
import { ensureBuilt } from './helpers.js';

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

/** What a CLI test gets from `useCliFixture`: its file's server and folder, and this test's lock. */
export interface CliFixture {
  server: LockServer;
  /** A temporary folder for the test file's markers and logs. */
  dir: string;
  /** A lock object name of its own for each test, and its gs:// URL. */
  name: string;
  url: string;
}

/** The local server `lockServer` starts. */
export type LockServer = Awaited<ReturnType<typeof lockServer>>;

/**
 * The set-up every CLI test file repeats: the CLI built, a local server and a temporary folder for the
 * file, a fresh lock name for each test. `set` receives them before each test.
 */
export function useCliFixture(prefix: string, set: (fixture: CliFixture) => void): void {
  let server: LockServer | undefined;
  let dir = '';
  let n = 0;
  beforeAll(async () => {
    await ensureBuilt();
    server = await lockServer();
    dir = mkdtempSync(join(tmpdir(), `gcs-lock-${prefix}-`));
  });
  afterAll(async () => server?.close());
  beforeEach(() => {
    const name = `${prefix}-${++n}`;
    set({ server: server!, dir, name, url: `gs://${BUCKET}/${name}` });
  });
}

/** Runs `body` with a fault rule in place, and removes the rule after, whatever happens. */
export async function withFault<T>(server: LockServer, rule: FaultRule, body: () => Promise<T>): Promise<T> {
  const id = server.faults.add(rule);
  try {
    return await body();
  } finally {
    server.faults.remove(id);
  }
}
