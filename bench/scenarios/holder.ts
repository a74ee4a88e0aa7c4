/**
 * A gcs-lock holder in a process of its own, for the recovery scenario: it acquires, says "held" on
 * stdout, and then just holds (its lease keeps refreshing) until it is killed with SIGKILL.
 * Usage: holder.mjs <variant> <endpoint> <bucket> <object> <ttl-ms> (bundled by bench/bundle.ts)
 */
import { Lock } from '../../src/lock/lock.js';
import { GcsStore } from '../../src/store/gcs-store.js';
import { holdUntilKilled, holderArgs } from './holder-args.js';

const { variant, endpoint, bucket, object, ttl } = holderArgs();
const store = new GcsStore({ endpoint });
await new Lock({ bucket, object, store, ttl, fair: variant === 'gcs-lock' }).acquire();
holdUntilKilled();
