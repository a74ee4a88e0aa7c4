/**
 * The classic recipe's holder, for the recovery scenario: creates the object, says "held", and waits
 * to be killed. A script apart from gcs-lock's holder: the official client takes seconds to load on a
 * busy machine, and a gcs-lock holder should not wait for that.
 * Usage: classic-holder.mjs <variant> <endpoint> <bucket> <object> <ttl-ms>
 */
import { ClassicLock } from '../baselines/classic.js';
import { holdUntilKilled, holderArgs } from './holder-args.js';

const { variant, endpoint, bucket, object } = holderArgs();
await new ClassicLock(endpoint, bucket, object, { resumable: variant === 'classic' }).acquire();
holdUntilKilled();
