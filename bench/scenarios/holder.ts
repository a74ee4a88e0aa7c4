/**
 * A lock holder in a process of its own, for the recovery scenario: it acquires, says "held" on
 * stdout, and then just holds (its lease keeps refreshing) until it is killed with SIGKILL.
 * Usage: holder.ts <variant> <endpoint> <bucket> <object> <ttl-ms>
 */
import { makeLocker, type VariantKey } from '../variants.js';

const [variant, endpoint, bucket, object, ttl] = process.argv.slice(2);
if (!variant || !endpoint || !bucket || !object || !ttl)
  throw new Error('usage: holder.ts variant endpoint bucket object ttl');
const locker = makeLocker(variant as VariantKey, { endpoint, bucket, object, ttl: Number(ttl) });
await locker.acquire();
process.stdout.write('held\n');
// The lease timer is unref'd; this keeps the process (and so the heartbeat) alive until the kill.
// Bounded: a holder nobody kills leaves after a minute.
setTimeout(() => process.exit(0), 60_000);
