import { listLocks, type LockListEntry } from '../../lock/list-locks.js';
import { parseBucketUrl } from '../../util/lock-url.js';
import { expectPositionals, parseArgument, parseCommandLine } from '../args.js';
import { ExitCode } from '../exit-codes.js';
import { formatDuration, formatHolder, formatTable } from '../format.js';
import { LIST_HELP } from '../help.js';
import { cliStore, ENDPOINT_OPTION } from '../store.js';

/** `gcs-lock list gs://BUCKET[/PREFIX]`: every object under the prefix, one line each. */
export async function listCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine('list', args, {
    ...ENDPOINT_OPTION,
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(`${LIST_HELP}\n`);
    return ExitCode.OK;
  }
  const [url] = expectPositionals('list', positionals, ['gs://BUCKET[/PREFIX]']) as [string];
  const target = parseArgument(parseBucketUrl, url);
  const entries = await listLocks({ ...target, store: cliStore(values.endpoint) });
  if (values.json) {
    for (const entry of entries)
      process.stdout.write(`${JSON.stringify({ ...entry, state: entryState(entry) })}\n`);
  } else if (entries.length === 0) {
    process.stderr.write(`gcs-lock: no objects under gs://${target.bucket}/${target.prefix}\n`);
  } else {
    process.stdout.write(`${formatList(entries)}\n`);
  }
  return ExitCode.OK;
}

/** `held`, `stale` (expired lease) or `not-a-lock` (a foreign or damaged object). */
export function entryState(entry: LockListEntry): 'held' | 'stale' | 'not-a-lock' {
  if (!entry.info) return 'not-a-lock';
  return entry.info.expired ? 'stale' : 'held';
}

/** The listing as a table; stale and foreign objects stand out in capitals. */
export function formatList(entries: LockListEntry[]): string {
  const rows = entries.map((entry) => {
    const { info } = entry;
    if (!info) return ['NOT-A-LOCK', '-', '-', entry.problem ?? '', entry.name];
    const state = info.expired ? 'STALE' : 'held';
    return [state, info.token, formatDuration(info.expiresInMs), formatHolder(info), entry.name];
  });
  return formatTable(['STATE', 'TOKEN', 'EXPIRES IN', 'HOLDER', 'NAME'], rows);
}
