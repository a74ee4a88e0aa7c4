import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BucketSettings, EngineObject, StorageEngine } from './engine/engine.js';

/** The snapshot's file name inside `dataDir`. */
export const SNAPSHOT_FILE = 'gcs-lock-server.json';

interface Snapshot {
  version: 1;
  lastGeneration: string;
  /** `settings` is absent in snapshots written before buckets had settings. */
  buckets: Array<{ name: string; settings?: BucketSettings }>;
  /** Live and noncurrent versions alike (a noncurrent one has `timeDeleted`). */
  objects: Array<
    Omit<EngineObject, 'generation' | 'metageneration' | 'data'> & {
      generation: string;
      metageneration: string;
      data: string;
    }
  >;
}

/**
 * Keeps the engine's state in one JSON file in `dataDir`, so it survives a restart. After each change
 * a save is scheduled (debounced); the whole state is written to a temporary file, synced and renamed
 * over the snapshot, so a crash leaves the old snapshot or the new one, never half of one.
 */
export class Persistence {
  readonly #dir: string;
  readonly #debounceMs: number;
  #timer: NodeJS.Timeout | undefined;
  /** The save in progress; saves never overlap, so an older snapshot cannot be renamed over a newer one. */
  #saving: Promise<void> = Promise.resolve();
  #dirty = false;

  constructor(dir: string, debounceMs = 25) {
    this.#dir = dir;
    this.#debounceMs = debounceMs;
  }

  get file(): string {
    return join(this.#dir, SNAPSHOT_FILE);
  }

  /** Loads the snapshot into `engine` (a missing file is an empty state). Call before serving. */
  load(engine: StorageEngine): void {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const snapshot = JSON.parse(text) as Snapshot;
    if (snapshot.version !== 1)
      throw new Error(`${this.file}: unknown snapshot version ${String(snapshot.version)}`);
    const existing = new Set(engine.listBuckets().map((bucket) => bucket.name));
    for (const { name, settings } of snapshot.buckets) {
      if (!existing.has(name)) engine.createBucket(name, settings);
    }
    for (const object of snapshot.objects) {
      engine.restoreObject({
        ...object,
        generation: BigInt(object.generation),
        metageneration: BigInt(object.metageneration),
        data: Buffer.from(object.data, 'base64'),
      });
    }
    engine.restoreGeneration(BigInt(snapshot.lastGeneration));
    this.#dirty = false;
  }

  /** Notes a change; the snapshot is written a little later, once for a burst of changes. */
  schedule(engine: StorageEngine): void {
    this.#dirty = true;
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.flush(engine).catch(() => undefined);
    }, this.#debounceMs);
  }

  /** Writes the snapshot now if anything changed; resolves once it is on disk. */
  flush(engine: StorageEngine): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#saving = this.#saving
      .catch(() => undefined)
      .then(async () => {
        if (!this.#dirty) return;
        this.#dirty = false;
        // Taken synchronously: one consistent state, whatever happens while it is written.
        const text = JSON.stringify(snapshotOf(engine));
        try {
          await this.#write(text);
        } catch (error) {
          this.#dirty = true;
          throw error;
        }
      });
    return this.#saving;
  }

  async #write(text: string): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    const temp = join(this.#dir, `.${SNAPSHOT_FILE}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const handle = await open(temp, 'w');
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }
}

function snapshotOf(engine: StorageEngine): Snapshot {
  const buckets = engine.listBuckets();
  return {
    version: 1,
    lastGeneration: engine.lastGeneration.toString(),
    buckets: buckets.map(({ name, settings }) => ({ name, settings })),
    objects: buckets.flatMap((bucket) =>
      [...bucket.objects.values(), ...[...bucket.noncurrent.values()].flat()].map((object) => ({
        ...object,
        generation: object.generation.toString(),
        metageneration: object.metageneration.toString(),
        data: object.data.toString('base64'),
      })),
    ),
  };
}
