import { bucketNameProblem } from '../../util/names.js';
import { applySettings, defaultSettings, type BucketSettings } from './bucket-config.js';
import { EngineError, invalid } from './engine-error.js';
import { checkPreconditions } from './preconditions.js';
import type { BucketPreconditions, EngineBucket } from './types.js';

const PERMISSION = /^[a-z]+\.[a-zA-Z]+\.[a-zA-Z]+$/;

/** A new, empty bucket: the name checked as GCS checks it, the settings over GCS's defaults. */
export function newBucket(name: string, settings: Partial<BucketSettings>, now: number): EngineBucket {
  const problem = bucketNameProblem(name);
  if (problem) throw invalid(`Invalid bucket name: '${name}': ${problem}.`);
  return {
    name,
    timeCreated: now,
    updated: now,
    metageneration: 1n,
    settings: applySettings(defaultSettings(), settings),
    objects: new Map(),
    noncurrent: new Map(),
  };
}

/** A bucket has no generation: only its metageneration can be a condition (412 / 304 as for objects). */
export function checkBucketPreconditions(bucket: EngineBucket, preconditions: BucketPreconditions): void {
  const { ifMetagenerationMatch, ifMetagenerationNotMatch } = preconditions;
  checkPreconditions(
    { generation: 0n, metageneration: bucket.metageneration },
    {
      ...(ifMetagenerationMatch === undefined ? {} : { ifMetagenerationMatch }),
      ...(ifMetagenerationNotMatch === undefined ? {} : { ifMetagenerationNotMatch }),
    },
  );
}

/**
 * `testIamPermissions`: which of `permissions` the caller holds. Every storage permission is held
 * unless the bucket denies it; anything outside `storage.*` is never held. Needs no permission itself.
 */
export function grantedPermissions(bucket: EngineBucket, permissions: readonly string[]): string[] {
  if (permissions.length === 0) throw new EngineError(400, 'required', 'Required parameter: permissions');
  for (const permission of permissions) {
    if (!PERMISSION.test(permission)) {
      throw invalid(`Permission '${permission}' is not valid: expected a name like 'storage.objects.get'.`);
    }
  }
  const denied = new Set(bucket.settings.deniedPermissions);
  return [...new Set(permissions)].filter((p) => p.startsWith('storage.') && !denied.has(p));
}
