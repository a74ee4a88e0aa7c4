import type { BucketInfo } from '../../store/object-store.js';
import { verdict, type DoctorCheck } from '../types.js';

/**
 * Requester Pays refuses requests that name no billing project, except from principals of the
 * bucket's own project; gcs-lock names none.
 */
export function requesterPaysCheck(bucket: BucketInfo): DoctorCheck {
  if (!bucket.requesterPays) return verdict('requester-pays', 'requester pays', 'pass', 'off');
  return verdict(
    'requester-pays',
    'requester pays',
    'warn',
    "on: gcs-lock sends no billing project, so only principals of the bucket's own project can use " +
      'these locks; anyone else is refused',
    { fix: `gcloud storage buckets update gs://${bucket.name} --no-requester-pays` },
  );
}
