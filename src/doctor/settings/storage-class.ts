import type { BucketInfo } from '../../store/object-store.js';
import { verdict, type DoctorCheck } from '../types.js';

/** Classes priced like Standard: the legacy names of its regional and multi-regional forms. */
const STANDARD_LIKE = new Set(['STANDARD', 'MULTI_REGIONAL', 'REGIONAL']);

/**
 * Nearline, Coldline and Archive charge more per request, a retrieval fee per read, and a minimum
 * storage duration that every replaced grant pays in full (early deletion).
 */
export function storageClassCheck(bucket: BucketInfo): DoctorCheck {
  const storageClass = bucket.storageClass;
  if (STANDARD_LIKE.has(storageClass)) {
    return verdict('storage-class', 'storage class', 'pass', `${storageClass}`);
  }
  return verdict(
    'storage-class',
    'storage class',
    'warn',
    `${storageClass}: each refresh, poll and grant costs more than in Standard, reads pay retrieval fees, ` +
      'and every replaced grant is billed for the minimum storage duration',
    {
      fix:
        `gcloud storage buckets update gs://${bucket.name} --default-storage-class=STANDARD ` +
        '(each lock object moves to it at its next grant)',
      details: { storageClass },
    },
  );
}
