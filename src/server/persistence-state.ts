import { readFileSync } from 'node:fs';
import { MAX_GENERATION } from './clock-offset.js';
import type {
  BucketSettings,
  EngineBucket,
  EngineChange,
  EngineObject,
  StorageEngine,
} from './engine/engine.js';
import { dropNoncurrent } from './engine/versions.js';
import type { LogRecord } from './persistence-codec.js';

/**
 * The engine's state as log records, and back. This is the one place that knows the engine's shape.
 * Records: `generation` (the highest handed out), `bucket` (every field of a bucket but its object
 * maps), `object` (any version, live or noncurrent: the engine tells them apart by `timeDeleted`),
 * `delete` (the live version is gone) and `delete-version` (a noncurrent version is gone). An engine
 * change this file does not know yet answers `undefined` from `changeRecord`, and the log falls back
 * to rewriting the whole state: nothing is lost, it is only slower.
 */

/** The record that logs one engine change, or `undefined` for a change this log cannot express alone. */
export function changeRecord(change: EngineChange): LogRecord | undefined {
  switch (change.kind) {
    case 'bucket':
      return bucketRecord(change.bucket);
    case 'put':
    case 'noncurrent':
      return { ...change.object, op: 'object' };
    case 'delete':
      return { op: 'delete', bucket: change.bucket, name: change.name };
    case 'delete-version':
      return {
        op: 'delete-version',
        bucket: change.bucket,
        name: change.name,
        generation: change.generation,
      };
    default:
      return undefined;
  }
}

/** A bucket's own fields, taken now (the engine changes a bucket in place), without its object maps. */
function bucketRecord(bucket: EngineBucket): LogRecord {
  const { objects: _live, noncurrent: _noncurrent, ...fields } = bucket;
  return { ...fields, op: 'bucket' };
}

/**
 * The whole state, as the records that rebuild it: the last generation handed out (so a restart never
 * reuses a deleted object's generation), then each bucket and its versions. Taken in one synchronous
 * step, they are one consistent state however long writing them takes: the engine replaces an object
 * version on every change rather than editing it, and bucket records are copies.
 */
export function stateRecords(engine: StorageEngine): LogRecord[] {
  const records: LogRecord[] = [{ op: 'generation', generation: engine.lastGeneration }];
  for (const bucket of engine.listBuckets()) {
    records.push(bucketRecord(bucket));
    for (const versions of bucket.noncurrent.values()) {
      for (const version of versions) records.push({ ...version, op: 'object' });
    }
    for (const object of bucket.objects.values()) records.push({ ...object, op: 'object' });
  }
  return records;
}

/** Applies one record to the engine, as it was when the record was written. */
export function applyRecord(engine: StorageEngine, record: LogRecord, where: string): void {
  const { op, ...fields } = record;
  switch (op) {
    case 'generation':
      engine.restoreGeneration(checkedGeneration(fields.generation, where));
      return;
    case 'bucket': {
      const { name, ...state } = fields as unknown as Partial<EngineBucket> & { name: string };
      const bucket =
        engine.listBuckets().find((b) => b.name === name) ?? engine.createBucket(name, state.settings);
      // Its creation time, metageneration and settings as they were; its versions are records of their own.
      Object.assign(bucket, { ...state, settings: { ...bucket.settings, ...state.settings } });
      return;
    }
    case 'object': {
      const object = fields as unknown as EngineObject;
      checkedGeneration(object.generation, where);
      engine.restoreObject(object);
      return;
    }
    case 'delete':
      engine.getBucket(String(fields.bucket)).objects.delete(String(fields.name));
      return;
    case 'delete-version': {
      const generation = checkedGeneration(fields.generation, where);
      dropNoncurrent(engine.getBucket(String(fields.bucket)), String(fields.name), generation);
      return;
    }
    default:
      throw new Error(`${where}: unknown log record "${op}" (written by a newer gcs-lock?)`);
  }
}

/**
 * Generations are 16-digit microseconds. A longer one can only come from a data directory written
 * while the clock offset was unbounded; it would make every precondition on the object a 400, so the
 * directory is refused with the fix rather than loaded half-broken.
 */
function checkedGeneration(value: unknown, where: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value > MAX_GENERATION) {
    throw new Error(
      `${where}: generation ${String(value)} is not a 16-digit microsecond timestamp ` +
        '(written while the server clock offset was unbounded); delete this data directory to start afresh',
    );
  }
  return value;
}

/** The snapshot file of earlier builds: one JSON document, rewritten whole on every change. */
export const V1_SNAPSHOT_FILE = 'gcs-lock-server.json';

interface V1Snapshot {
  version: 1;
  lastGeneration: string;
  buckets: Array<{ name: string; settings?: Partial<BucketSettings> }>;
  objects: Array<Record<string, unknown> & { generation: string; metageneration: string; data: string }>;
}

/** The records of an earlier build's snapshot, to be rewritten as a log. */
export function readV1Snapshot(file: string): LogRecord[] {
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as V1Snapshot;
  if (snapshot.version !== 1)
    throw new Error(`${file}: unknown snapshot version ${String(snapshot.version)}`);
  return [
    { op: 'generation', generation: BigInt(snapshot.lastGeneration) },
    ...snapshot.buckets.map(({ name, settings }): LogRecord => ({
      op: 'bucket',
      name,
      ...(settings && { settings }),
    })),
    ...snapshot.objects.map((object): LogRecord => ({
      ...object,
      op: 'object',
      generation: BigInt(object.generation),
      metageneration: BigInt(object.metageneration),
      data: Buffer.from(object.data, 'base64'),
    })),
  ];
}
