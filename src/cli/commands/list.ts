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

/** `held`, `stale` (expired lease) or `not-a-lock` (a foreign or damaged object). */
export function entryState(entry: LockListEntry): 'held' | 'stale' | 'not-a-lock' {
  if (!entry.info) return 'not-a-lock';
  return entry.info.expired ? 'stale' : 'held';
}

/**
 * One line of `list --json`, with the keys `status --json` uses for the same facts: url, name, state,
 * lock (the holder and expiry; null for an object that is not a lock), and problem for those.
 */
export function entryJson(entry: LockListEntry): Record<string, unknown> {
  return {
    url: entry.url,
    name: entry.name,
    state: entryState(entry),
    lock: entry.info ?? null,
    ...(entry.problem !== undefined && { problem: entry.problem }),
  };
}

/** The listing as a table; stale and foreign objects stand out in capitals. */
export function formatList(entries: LockListEntry[]): string {
  const rows = entries.map((entry) => {
    const { info } = entry;
    const name = printable(entry.name);
    if (!info) return ['NOT-A-LOCK', '-', '-', printable(entry.problem ?? ''), name];
    const state = info.expired ? 'STALE' : 'held';
    // An expiry in the past is said as such, never as a negative "expires in".
    const expiry =
      info.expiresInMs > 0
        ? formatDuration(info.expiresInMs)
        : `expired ${formatDuration(-info.expiresInMs)} ago`;
    return [state, info.token, expiry, formatHolder(info), name];
  });
  return formatTable(['STATE', 'TOKEN', 'EXPIRES IN', 'HOLDER', 'NAME'], rows);
}
