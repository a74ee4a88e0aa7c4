/**
 * An election leader in a process of its own, for the leader-change scenario: it campaigns, says
 * "held" on stdout, and leads (its term keeps refreshing) until it is killed with SIGKILL.
 * Usage: leader.ts <endpoint> <bucket> <object> <ttl-ms>
 */
import { Election } from '../../src/election/election.js';

const [endpoint, bucket, object, ttl] = process.argv.slice(2);
if (!endpoint || !bucket || !object || !ttl) throw new Error('usage: leader.ts endpoint bucket object ttl');
const election = new Election({ bucket, object, endpoint, ttl: Number(ttl), candidate: 'crashing' });
await election.campaign();
process.stdout.write('held\n');
// Bounded: a leader nobody kills leaves after a minute.
setTimeout(() => process.exit(0), 60_000);
