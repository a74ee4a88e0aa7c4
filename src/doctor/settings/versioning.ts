import type { BucketInfo } from '../../store/object-store.js';
import { verdict, type DoctorCheck } from '../types.js';
import { describeRule, trimsNoncurrent } from './lifecycle-rules.js';

/** The lifecycle rule that trims noncurrent versions a day after they were replaced. */
export const TRIM_RULE = '{"rule":[{"action":{"type":"Delete"},"condition":{"daysSinceNoncurrentTime":1}}]}';

/**
 * Object Versioning keeps every replaced version. gcs-lock never deletes a lock object, but every
 * grant after the first replaces it, and every fair-mode ticket is deleted when its wait ends: each
 * leaves a noncurrent version, billed, for ever, unless a lifecycle rule trims them.
 */
export function versioningCheck(bucket: BucketInfo, prefix: string): DoctorCheck {
  if (!bucket.versioning) return verdict('versioning', 'object versioning', 'pass', 'off');
  const trims = bucket.lifecycleRules.filter((rule) => trimsNoncurrent(rule, prefix));
  if (trims.length > 0) {
    return verdict(
      'versioning',
      'object versioning',
      'warn',
      "on: every grant after a lock's first and every fair-mode ticket leaves a noncurrent version; " +
        `the lifecycle rule "${describeRule(trims[0]!)}" trims them`,
      {
        fix: `gcloud storage buckets update gs://${bucket.name} --no-versioning (the lock needs only the live version)`,
        details: { trimmedBy: trims },
      },
    );
  }
  return verdict(
    'versioning',
    'object versioning',
    'fail',
    "on, and no lifecycle rule deletes noncurrent versions: every grant after a lock's first and every " +
      'fair-mode ticket leaves a noncurrent version that stays, billed, for ever (thousands a day for a busy lock)',
    {
      fix:
        `gcloud storage buckets update gs://${bucket.name} --no-versioning, or keep versioning and trim: ` +
        `echo '${TRIM_RULE}' > trim.json && gcloud storage buckets update gs://${bucket.name} --lifecycle-file=trim.json`,
    },
  );
}
