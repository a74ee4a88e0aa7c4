import type { BucketInfo } from '../../store/object-store.js';
import { verdict, type DoctorCheck } from '../types.js';

/**
 * A default event-based hold puts every new object on hold, and a held object cannot be replaced or
 * deleted: each lock could be granted once, and never again until someone lifts the hold by hand.
 */
export function eventBasedHoldCheck(bucket: BucketInfo): DoctorCheck {
  const title = 'default event-based hold';
  if (!bucket.defaultEventBasedHold) return verdict('event-based-hold', title, 'pass', 'off');
  return verdict(
    'event-based-hold',
    title,
    'fail',
    'every new lock object is put on hold, and a held object cannot be replaced or deleted: each lock ' +
      'is granted once, then every later grant and takeover is refused with 403',
    { fix: `gcloud storage buckets update gs://${bucket.name} --no-default-event-based-hold` },
  );
}
