import type { EngineBucket, EngineObject } from './types.js';
import { EngineError } from './engine-error.js';

/**
 * Refuses `permission` when the bucket denies it, with GCS's 403: "Caller does not have P access to
 * the Google Cloud Storage object. Permission 'P' denied on resource (or it may not exist)." GCS
 * checks permissions before it looks the object up, so a denied request never learns whether the
 * object exists: this is called before any lookup.
 */
export function checkPermission(bucket: EngineBucket, permission: string): void {
  if (!bucket.settings.deniedPermissions.includes(permission)) return;
  const resource = permission.startsWith('storage.objects.') ? 'object' : 'bucket';
  throw new EngineError(
    403,
    'forbidden',
    `Caller does not have ${permission} access to the Google Cloud Storage ${resource}. ` +
      `Permission '${permission}' denied on resource (or it may not exist).`,
  );
}

/**
 * Refuses to remove `object` for good (a delete, or a replacement that keeps no noncurrent version)
 * while it is held or younger than the bucket's retention period: GCS's 403s, word for word.
 * In a versioned bucket, replacing or deleting the live version only makes it noncurrent, so that is
 * allowed; the noncurrent version stays protected until its own delete (bucket-lock page).
 */
export function checkRemovable(bucket: EngineBucket, object: EngineObject, now: number): void {
  if (object.eventBasedHold) {
    throw new EngineError(
      403,
      'forbidden',
      `Object '${object.bucket}/${object.name}' is under active Event-Based hold and cannot be deleted, ` +
        'overwritten or archived until hold is removed.',
    );
  }
  const period = bucket.settings.retentionPeriodSeconds;
  if (period === undefined) return;
  const until = object.timeCreated + period * 1000;
  if (now < until) {
    throw new EngineError(
      403,
      'retentionPolicyNotMet',
      `Object '${object.bucket}/${object.name}' is subject to bucket's retention policy or object ` +
        `retention and cannot be deleted or overwritten until ${new Date(until).toISOString()}`,
    );
  }
}
