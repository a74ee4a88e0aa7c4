import { listLocks, type LockListEntry } from '../../lock/list-locks.js';
import { parseBucketUrl } from '../../util/lock-url.js';
import { expectPositionals, parseArgument, parseCommandLine } from '../args.js';
import { printable, printableLines } from '../../util/printable.js';
import { ExitCode } from '../exit-codes.js';
import { formatDuration, formatHolder, formatTable } from '../format.js';
import { LIST_HELP } from '../help.js';
import { noticeFor } from '../storage-notice.js';
import { STORE_OPTIONS, storeFor, storeSettings } from '../store.js';

/** `gcs-lock list gs://BUCKET[/PREFIX]`: every object under the prefix, one line each. */
export async function listCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine('list', args, {
    ...STORE_OPTIONS,
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(`${LIST_HELP}\n`);
    return ExitCode.OK;
  }
  const [url] = expectPositionals('list', positionals, ['gs://BUCKET[/PREFIX]']) as [string];
  const target = parseArgument(parseBucketUrl, url);
  const settings = storeSettings(values);
  const notice = noticeFor(settings);
  const entries = await listLocks({ ...target, store: storeFor(settings) }).finally(() => notice.stop());
  if (values.json) {
    for (const entry of entries) process.stdout.write(`${JSON.stringify(entryJson(entry))}\n`);
  } else if (entries.length === 0) {
    process.stderr.write(
      `${printableLines(`gcs-lock: no objects under gs://${target.bucket}/${target.prefix}`)}\n`,
    );
  } else {
    process.stdout.write(`${printableLines(formatList(entries))}\n`);
  }
  return ExitCode.OK;
}

/** What `list` calls an entry: the library's state, with a held lease that has expired called stale. */
export type ListState = 'held' | 'stale' | 'free' | 'waiting' | 'semaphore' | 'not-a-lock';

/** `held`, `stale` (an expired lease), `free` (released), `waiting` (a fair-mode ticket) or `not-a-lock`. */
export function entryState(entry: LockListEntry): ListState {
  if (entry.state === 'held' && entry.info?.expired) return 'stale';
  return entry.state;
}

/**
 * One line of `list --json`, with the keys `status --json` uses for the same facts: url, name, state,
 * lock (the current holder, or the waiter of a ticket; null when free, as `status` says, or not a
 * lock), and problem for an object that is not a lock.
 */
export function entryJson(entry: LockListEntry): Record<string, unknown> {
  return {
    url: entry.url,
    name: entry.name,
    state: entryState(entry),
    lock: entry.state === 'free' ? null : (entry.info ?? null),
    ...(entry.problem !== undefined && { problem: entry.problem }),
    ...(entry.limit !== undefined && { limit: entry.limit }),
  };
}

/** The listing as a table; stale and foreign objects stand out in capitals. */
export function formatList(entries: LockListEntry[]): string {
  const rows = entries.map((entry) => {
    const { info } = entry;
    const name = printable(entry.name);
    const state = entryState(entry);
    // A semaphore's header: its permits are the lock objects NAME.slots/N, listed after it.
    if (state === 'semaphore') return ['SEMAPHORE', '-', '-', `${entry.limit ?? '?'} permits`, name];
    if (state === 'not-a-lock' || !info)
      return ['NOT-A-LOCK', '-', '-', printable(entry.problem ?? ''), name];
    // A released lock keeps its object: who held it last, and the last token granted.
    if (state === 'free') return ['free', info.token, '-', `(last: ${formatHolder(info)})`, name];
    // An expiry in the past is said as such, never as a negative "expires in".
    const expiry =
      info.expiresInMs > 0
        ? formatDuration(info.expiresInMs)
        : `expired ${formatDuration(-info.expiresInMs)} ago`;
    if (state === 'waiting') return ['waiting', '-', expiry, formatHolder(info), name];
    return [state === 'stale' ? 'STALE' : 'held', info.token, expiry, formatHolder(info), name];
  });
  return formatTable(['STATE', 'TOKEN', 'EXPIRES IN', 'HOLDER', 'NAME'], rows);
}
