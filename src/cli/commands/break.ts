import { breakLock, type BreakLockResult } from '../../lock/break-lock.js';
import { parseLockUrl } from '../../util/lock-url.js';
import {
  expectPositionals,
  parseArgument,
  parseCommandLine,
  UsageError,
  usageFromConfiguration,
} from '../args.js';
import { ExitCode } from '../exit-codes.js';
import { formatDuration, formatHolder } from '../format.js';
import { BREAK_HELP } from '../help.js';
import { STORE_OPTIONS, storeFor, storeSettings } from '../store.js';

/**
 * `gcs-lock break gs://BUCKET/OBJECT --token TOKEN [--force]`: one read, then one patch pinned to that
 * lease that marks it released. Exits 0 when that lease was ended, 1 when nothing changed (and says
 * what is there now, or that the lease is alive and needs --force).
 */
export async function breakCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine('break', args, {
    ...STORE_OPTIONS,
    token: { type: 'string' },
    force: { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(`${BREAK_HELP}\n`);
    return ExitCode.OK;
  }
  const [url] = expectPositionals('break', positionals, ['gs://BUCKET/OBJECT']) as [string];
  const target = parseArgument(parseLockUrl, url);
  if (values.token === undefined) {
    throw new UsageError(
      `break: refusing to break ${url} without --token. Run \`gcs-lock status ${url}\` to see the token of ` +
        `the lease you mean to end, then \`gcs-lock break ${url} --token TOKEN\`.`,
    );
  }
  let result: BreakLockResult;
  try {
    result = await breakLock({
      ...target,
      token: values.token,
      store: storeFor(storeSettings(values)),
      force: values.force ?? false,
    });
  } catch (error) {
    usageFromConfiguration(error);
  }
  if (values.json) process.stdout.write(`${JSON.stringify(jsonResult(url, result))}\n`);
  process.stderr.write(`gcs-lock: ${describe(url, values.token, result)}\n`);
  return result.status === 'broken' ? ExitCode.OK : ExitCode.CONFLICT;
}

function describe(url: string, token: string, result: BreakLockResult): string {
  switch (result.status) {
    case 'broken':
      return `broke ${url} (token ${result.token}); the lock is free. If its holder still runs, it learns at its next refresh.`;
    case 'live':
      return (
        `did not break ${url}: token ${token} was refreshed ${formatDuration(result.refreshedMsAgo)} ago ` +
        `(it refreshes every ${formatDuration(result.refreshInterval)}), so its holder, ` +
        `${formatHolder(result.holder)}, is alive. Breaking it anyway (--force) lets that holder run on ` +
        `until its next refresh, up to ${formatDuration(result.refreshInterval)}, beside the next holder.`
      );
    case 'token-mismatch':
      return (
        `did not break ${url}: token ${token} is not the current lease; nothing changed. ` +
        (result.current === 'free'
          ? 'The lock is free.'
          : `It is now held by ${formatHolder(result.current)}, token ${result.current.token}.`)
      );
    case 'not-found':
      return `did not break ${url}: there is no lock object; nothing changed.`;
  }
}

function jsonResult(url: string, result: BreakLockResult): Record<string, unknown> {
  const base = { url, broken: result.status === 'broken', status: result.status };
  switch (result.status) {
    case 'broken':
      return { ...base, token: result.token };
    case 'live':
      return {
        ...base,
        token: result.token,
        refreshedMsAgo: result.refreshedMsAgo,
        refreshInterval: result.refreshInterval,
      };
    case 'token-mismatch':
      return { ...base, currentToken: result.current === 'free' ? null : result.current.token };
    case 'not-found':
      return base;
  }
}
