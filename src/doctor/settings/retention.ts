import type { BucketInfo } from '../../store/object-store.js';
import { verdict, type DoctorCheck } from '../types.js';

/**
 * A retention policy forbids deleting or replacing an object younger than its period. Every grant
 * after a lock's first replaces the lock object (an insert pinned to its generation), so a lock
 * released and wanted again within the period is refused (403), and so is a takeover of a crashed
 * holder; fair-mode tickets cannot be deleted either.
 */
export function retentionCheck(bucket: BucketInfo): DoctorCheck {
  const period = bucket.retentionPeriodSeconds;
  if (period === undefined) return verdict('retention', 'retention policy', 'pass', 'no retention policy');
  return verdict(
    'retention',
    'retention policy',
    'fail',
    `objects younger than ${period} s cannot be replaced or deleted: a lock acquired again within ` +
      `${period} s of its last grant, and any takeover of a crashed holder, is refused with 403`,
    {
      fix:
        `gcloud storage buckets update gs://${bucket.name} --clear-retention-period ` +
        '(a locked policy cannot be removed: use a bucket of its own for locks)',
      details: { retentionPeriodSeconds: period },
    },
  );
}
