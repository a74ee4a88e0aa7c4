import { Lock } from '../../lock/lock.js';
import { MalformedLockError } from '../../errors/malformed-lock-error.js';
import { semaphoreStatus } from './permits.js';
import type { LockInfo } from '../../core/lock-info.js';
import { parseLockUrl } from '../../util/lock-url.js';
import { expectPositionals, parseArgument, parseCommandLine } from '../args.js';
import { printable, printableLines } from '../../util/printable.js';
import { ExitCode } from '../exit-codes.js';
import { formatDuration, formatFields } from '../format.js';
import { STATUS_HELP } from '../help.js';
import { noticeFor } from '../storage-notice.js';
import { STORE_OPTIONS, storeFor, storeSettings } from '../store.js';
import { formatAge } from '../wait-progress.js';

/** The three states `status` reports, and their exit codes. */
export type LockState = 'held' | 'free' | 'stale';

const STATE_EXIT: Record<LockState, number> = {
  held: ExitCode.OK,
  free: ExitCode.CONFLICT,
  stale: ExitCode.STALE,
};

/**
 * `gcs-lock status gs://BUCKET/OBJECT`: one metadata read through `lock.inspect()`, shown for people
 * or as JSON; the exit status says held (0), free (1) or stale (2).
 */
export async function statusCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine('status', args, {
    ...STORE_OPTIONS,
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(`${STATUS_HELP}\n`);
    return ExitCode.OK;
  }
  const [url] = expectPositionals('status', positionals, ['gs://BUCKET/OBJECT']) as [string];
  const target = parseArgument(parseLockUrl, url);
  const settings = storeSettings(values);
  const notice = noticeFor(settings);
  const lock = new Lock({
    ...target,
    store: storeFor(settings),
    onEvent: notice.onLockEvent,
    ...(settings.requestTimeout !== undefined && { requestTimeout: settings.requestTimeout }),
  });
  let info: LockInfo | null;
  try {
    info = await lock.inspect().finally(() => notice.stop());
  } catch (error) {
    // Not a lock: perhaps a semaphore's header, whose permits are locks of their own.
    if (!(error instanceof MalformedLockError)) throw error;
    const exit = await semaphoreStatus(lock.url, target, storeFor(settings), values.json === true);
    if (exit === undefined) throw error;
    return exit;
  }
  const state: LockState = info === null ? 'free' : info.expired ? 'stale' : 'held';
  if (values.json) {
    // The same keys as each line of `list --json`: url, name, state, lock.
    process.stdout.write(`${JSON.stringify({ url: lock.url, name: lock.object, state, lock: info })}\n`);
  } else {
    process.stdout.write(`${printableLines(formatStatus(lock.url, state, info))}\n`);
  }
  return STATE_EXIT[state];
}

/** The human-readable status: a headline, then one field per line. */
export function formatStatus(url: string, state: LockState, info: LockInfo | null): string {
  if (info === null) return `${printable(url)}: free`;
  // The server's clock at the time of the read: expiry was judged on it, so "ago" is judged on it too.
  const serverNow = info.expiresAt.getTime() - info.expiresInMs;
  const headline =
    state === 'stale'
      ? `${printable(url)}: STALE (its lease expired; the next acquirer takes it over)`
      : `${printable(url)}: held`;
  const fields: Array<[string, string]> = [
    ['host', info.host !== undefined ? printable(info.host) : '(unknown)'],
    ['pid', info.pid !== undefined ? String(info.pid) : '(unknown)'],
    ['description', info.description !== undefined ? printable(info.description) : '(none)'],
    ['since', `${info.acquiredAt.toISOString()} (${formatAge(serverNow - info.acquiredAt.getTime())} ago)`],
    [
      'refreshed',
      `${info.refreshedAt.toISOString()} (${formatAge(serverNow - info.refreshedAt.getTime())} ago)`,
    ],
    [
      info.expiresInMs >= 0 ? 'expires in' : 'expired',
      `${formatDuration(Math.abs(info.expiresInMs))}${info.expiresInMs >= 0 ? '' : ' ago'} (at ${info.expiresAt.toISOString()})`,
    ],
    ['ttl', formatDuration(info.ttl)],
    ['token', info.token],
  ];
  return `${headline}\n${formatFields(fields)
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')}`;
}
