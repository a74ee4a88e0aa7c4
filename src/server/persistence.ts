import { existsSync } from 'node:fs';
import { mkdir, open, rename, rm, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { EngineChange, StorageEngine } from './engine/engine.js';
import { encodeRecord, readLog, type LogRecord } from './persistence-codec.js';
import {
  applyRecord,
  changeRecord,
  readV1Snapshot,
  stateRecords,
  V1_SNAPSHOT_FILE,
} from './persistence-state.js';

/** The `code` of every error `Persistence.open` throws: the data directory cannot be used. */
export const DATA_DIR_ERROR = 'GCS_LOCK_DATA_DIR';

/** The log's file name inside `dataDir`. */
export const LOG_FILE = 'gcs-lock-server.log';

/** A rewrite writes this many bytes between yields to the event loop, so requests keep being served. */
const WRITE_SLICE_BYTES = 4 * 1024 * 1024;

/** How the log reaches the disk; tests swap `open` to make writes fail, and shrink the slack. */
export interface PersistenceOptions {
  open?: (path: string, flags: string) => Promise<FileHandle>;
  /** The log is rewritten once it exceeds twice its last compacted size plus this. @default 8 MiB */
  compactionSlackBytes?: number;
}

/**
 * Keeps the engine's state in `dataDir` across restarts, as an append-only log: every change is one
 * record appended after it happens (changes that arrive together share one write and one fdatasync),
 * so a write costs what changed, not what is stored. When the log has grown to twice its last
 * compacted size, it is rewritten from the live state into a temporary file, synced and renamed over
 * the log, a slice at a time so the server keeps answering meanwhile.
 *
 * A save that fails is never reported as done: the error is emitted as a process warning at once,
 * `flush()` and `close()` reject with it, and the next change retries with a full rewrite (which also
 * cuts off any half-written record).
 */
export class Persistence {
  readonly #dir: string;
  readonly #engine: StorageEngine;
  readonly #open: (path: string, flags: string) => Promise<FileHandle>;
  readonly #slack: number;
  #handle: FileHandle | undefined;
  #queue: LogRecord[] = [];
  #compact = false;
  #running: Promise<void> | undefined;
  #logBytes = 0;
  #compactedBytes = 0;
  #failure: Error | undefined;
  #closed = false;

  private constructor(dir: string, engine: StorageEngine, options: PersistenceOptions) {
    this.#dir = dir;
    this.#engine = engine;
    this.#open = options.open ?? ((path, flags) => open(path, flags));
    this.#slack = options.compactionSlackBytes ?? 8 * 1024 * 1024;
  }

  get file(): string {
    return join(this.#dir, LOG_FILE);
  }

  /** Why the last save failed, while it has not been retried successfully. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /**
   * Loads `dir`'s log into `engine` (an empty or missing directory is an empty state; an earlier build's
   * snapshot is converted), then opens the log for appending. Buckets the engine has that the log
   * lacks (the start-up buckets) are recorded. Rejects, naming the file, if the state cannot be read
   * or the directory cannot be written: better not to start than to lose every change silently.
   */
  static async open(
    dir: string,
    engine: StorageEngine,
    options: PersistenceOptions = {},
  ): Promise<Persistence> {
    try {
      return await Persistence.#load(new Persistence(dir, engine, options));
    } catch (error) {
      // The messages name the file already (ours, and Node's fs errors): only the code is added.
      const message = error instanceof Error ? error.message : String(error);
      throw Object.assign(new Error(message, { cause: error }), { code: DATA_DIR_ERROR });
    }
  }

  static async #load(persistence: Persistence): Promise<Persistence> {
    const dir = persistence.#dir;
    const engine = persistence.#engine;
    await mkdir(dir, { recursive: true });
    const { file } = persistence;
    const legacy = join(dir, V1_SNAPSHOT_FILE);
    const before = new Set(engine.listBuckets().map((bucket) => bucket.name));
    const logged = new Set<string>();
    let rewrite = false;
    let records: LogRecord[] = [];
    if (existsSync(file)) {
      const log = readLog(file);
      records = log.records;
      persistence.#logBytes = log.validBytes;
      // A torn last record: the process died while appending it. Cut it off before appending more.
      if (log.validBytes < log.totalBytes) await truncate(file, log.validBytes);
    } else if (existsSync(legacy)) {
      records = readV1Snapshot(legacy);
      rewrite = true;
    }
    records.forEach((record, index) => {
      applyRecord(engine, record, `${file}, record ${index + 1}`);
      if (record.op === 'bucket') logged.add(String(record.name));
    });
    persistence.#compactedBytes = persistence.#logBytes;
    if (rewrite) {
      await persistence.#rewrite();
      await rm(legacy, { force: true });
    } else {
      persistence.#handle = await persistence.#open(file, 'a');
      for (const bucket of engine.listBuckets()) {
        if (before.has(bucket.name) && !logged.has(bucket.name))
          persistence.#enqueue(changeRecord({ kind: 'bucket', bucket }));
      }
      await persistence.flush();
    }
    return persistence;
  }

  /** Logs one engine change (written shortly, with whatever else changed meanwhile). */
  record(change: EngineChange): void {
    this.#enqueue(changeRecord(change));
  }

  /** Rewrites the whole state: for changes made behind the engine's back, such as a reset. */
  rewrite(): void {
    this.#enqueue(undefined);
  }

  /** Resolves once every change so far is on disk; rejects if saving it failed. */
  async flush(): Promise<void> {
    while (this.#running) await this.#running;
    if (this.#failure) throw this.#failure;
  }

  /** Writes what is pending, closes the log, and rejects if the state on disk is not the engine's. */
  async close(): Promise<void> {
    // A last try for changes whose save failed: the disk may have recovered.
    if (this.#failure && !this.#closed) this.#enqueue(undefined);
    try {
      await this.flush();
    } finally {
      this.#closed = true;
      await this.#handle?.close().catch(() => undefined);
      this.#handle = undefined;
    }
  }

  /** Queues a record (`undefined`: rewrite everything) and starts the writer if it is idle. */
  #enqueue(record: LogRecord | undefined): void {
    if (this.#closed) return;
    if (record === undefined) this.#compact = true;
    else this.#queue.push(record);
    this.#kick();
  }

  #kick(): void {
    if (this.#running) return;
    this.#running = (async () => {
      // The changes of one burst of requests go out together, in one write and one fdatasync.
      await new Promise((resolve) => setImmediate(resolve));
      try {
        await this.#drain();
      } finally {
        this.#running = undefined;
      }
      // A change queued after the last look at the queue, but before `#running` was cleared, would
      // otherwise wait for the next one. After a failure the next change retries instead.
      if ((this.#queue.length > 0 || this.#compact) && !this.#failure) this.#kick();
    })();
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0 || this.#compact) {
        if (this.#compact || this.#failure || this.#logBytes > 2 * this.#compactedBytes + this.#slack) {
          await this.#rewrite();
          continue;
        }
        const batch = this.#queue.splice(0);
        const buffers = batch.flatMap(encodeRecord);
        await writeAll(this.#handle!, buffers);
        await this.#handle!.datasync();
        this.#logBytes += buffers.reduce((sum, buffer) => sum + buffer.length, 0);
      }
    } catch (error) {
      this.#fail(error);
    }
  }

  /**
   * Writes the live state to a temporary file and renames it over the log. The state is captured in
   * one synchronous step, so changes queued before it are in it (they are dropped from the queue) and
   * changes made while it is written are queued, to be appended to the new log after the rename.
   */
  async #rewrite(): Promise<void> {
    this.#compact = false;
    this.#queue = [];
    const records = stateRecords(this.#engine);
    const temp = `${this.file}.${process.pid}.tmp`;
    const handle = await this.#open(temp, 'w');
    let bytes = 0;
    try {
      let slice: Buffer[] = [];
      let sliceBytes = 0;
      for (const record of records) {
        const encoded = encodeRecord(record);
        slice.push(...encoded);
        sliceBytes += encoded.reduce((sum, buffer) => sum + buffer.length, 0);
        if (sliceBytes >= WRITE_SLICE_BYTES) {
          await writeAll(handle, slice);
          bytes += sliceBytes;
          slice = [];
          sliceBytes = 0;
        }
      }
      await writeAll(handle, slice);
      bytes += sliceBytes;
      await handle.sync();
    } catch (error) {
      await handle.close().catch(() => undefined);
      await rm(temp, { force: true });
      throw error;
    }
    await handle.close();
    await rename(temp, this.file);
    await this.#handle?.close().catch(() => undefined);
    this.#handle = await this.#open(this.file, 'a');
    this.#logBytes = bytes;
    this.#compactedBytes = bytes;
    this.#failure = undefined;
  }

  #fail(error: unknown): void {
    const first = this.#failure === undefined;
    this.#failure = new Error(`gcs-lock server: could not save its state in ${this.#dir}: ${String(error)}`, {
      cause: error,
    });
    // Loud, once per failure: whoever runs the server sees it even if nobody calls close().
    if (first) process.emitWarning(this.#failure.message, { code: 'GCS_LOCK_PERSISTENCE' });
  }
}

/** Writes every buffer, however many calls that takes (writev may write part of them). */
async function writeAll(handle: FileHandle, buffers: Buffer[]): Promise<void> {
  let pending = buffers.filter((buffer) => buffer.length > 0);
  while (pending.length > 0) {
    // writev takes at most IOV_MAX (1024) buffers at a time on Linux.
    const batch = pending.slice(0, 1024);
    let { bytesWritten } = await handle.writev(batch);
    const rest = pending.slice(batch.length);
    pending = [];
    for (const buffer of batch) {
      if (bytesWritten >= buffer.length) bytesWritten -= buffer.length;
      else {
        pending.push(buffer.subarray(bytesWritten));
        bytesWritten = 0;
      }
    }
    pending.push(...rest);
  }
}
