import type { EngineBucket, EngineObject } from './types.js';
import { invalid, notFound } from './engine-error.js';

const DECIMAL = /^\d{1,20}$/;

/** A `generation` parameter as a bigint; anything but a decimal number is GCS's 400. */
export function parseGeneration(value: string | bigint | undefined): bigint | undefined {
  if (value === undefined || typeof value === 'bigint') return value;
  if (!DECIMAL.test(value)) throw invalid(`Invalid argument for generation: ${JSON.stringify(value)}.`);
  return BigInt(value);
}

/**
 * The version of `name` that a request addresses: the live one when no generation is named, else the
 * live or noncurrent version with that generation. Missing is a 404, as GCS answers.
 */
export function findVersion(bucket: EngineBucket, name: string, generation?: bigint): EngineObject {
  const live = bucket.objects.get(name);
  if (generation === undefined || live?.generation === generation) {
    if (!live) throw notFound('object');
    return live;
  }
  const version = bucket.noncurrent.get(name)?.find((v) => v.generation === generation);
  if (!version) throw notFound('object');
  return version;
}

/** Keeps `object` as a noncurrent version, deleted (made noncurrent) at `now`. */
export function archive(bucket: EngineBucket, object: EngineObject, now: number): EngineObject {
  const noncurrent: EngineObject = { ...object, timeDeleted: now };
  const versions = bucket.noncurrent.get(object.name) ?? [];
  versions.push(noncurrent);
  bucket.noncurrent.set(object.name, versions);
  return noncurrent;
}

/** Forgets one noncurrent version; `true` when it existed. */
export function dropNoncurrent(bucket: EngineBucket, name: string, generation: bigint): boolean {
  const versions = bucket.noncurrent.get(name);
  const at = versions?.findIndex((v) => v.generation === generation) ?? -1;
  if (!versions || at === -1) return false;
  versions.splice(at, 1);
  if (versions.length === 0) bucket.noncurrent.delete(name);
  return true;
}

/** Puts a changed noncurrent version back in its place (a metadata patch of an old version). */
export function replaceNoncurrent(bucket: EngineBucket, object: EngineObject): void {
  const versions = bucket.noncurrent.get(object.name) ?? [];
  const at = versions.findIndex((v) => v.generation === object.generation);
  if (at === -1) versions.push(object);
  else versions[at] = object;
  bucket.noncurrent.set(object.name, versions);
}
