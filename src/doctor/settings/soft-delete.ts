import type { BucketInfo } from '../../store/object-store.js';
import { verdict, type DoctorCheck } from '../types.js';

/**
 * Soft delete keeps every deleted or replaced object for its retention period, billed: every grant
 * after a lock's first (it replaces the lock object) and every fair-mode ticket.
 */
export function softDeleteCheck(bucket: BucketInfo): DoctorCheck {
  const seconds = bucket.softDeleteRetentionSeconds;
  if (seconds === 0) return verdict('soft-delete', 'soft delete', 'pass', 'off');
  const days = Math.round((seconds / 86_400) * 10) / 10;
  return verdict(
    'soft-delete',
    'soft delete',
    'warn',
    `on (${days} days): every replaced grant and every deleted fair-mode ticket is kept and billed for ` +
      `${days} days; tiny each, but a lock taken every minute keeps about ${Math.round(seconds / 60).toLocaleString('en-US')} of them`,
    {
      fix: `gcloud storage buckets update gs://${bucket.name} --clear-soft-delete`,
      details: { softDeleteRetentionSeconds: seconds },
    },
  );
}
