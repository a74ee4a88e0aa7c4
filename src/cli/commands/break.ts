import { breakLock } from '../../lock/break-lock.js';
import { parseLockObject } from '../../core/lock-object.js';
import { parseLockUrl } from '../../util/lock-url.js';
import {
  expectPositionals,
  parseArgument,
  parseCommandLine,
  UsageError,
  usageFromConfiguration,
} from '../args.js';
import { ExitCode } from '../exit-codes.js';
import { formatHolder } from '../format.js';
import { BREAK_HELP } from '../help.js';
import { cliStore, ENDPOINT_OPTION } from '../store.js';

/**
 * `gcs-lock break gs://BUCKET/OBJECT --token TOKEN`: one delete pinned to that generation. Exits 0
 * when that lease was ended, 1 when nothing changed (and says what is there now).
 */
export async function breakCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine('break', args, {
    ...ENDPOINT_OPTION,
    token: { type: 'string' },
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
  const store = cliStore(values.endpoint);
  let result;
  try {
    result = await breakLock({ ...target, token: values.token, store });
  } catch (error) {
    usageFromConfiguration(error);
  }
  if (result.status === 'broken') {
    if (values.json) process.stdout.write(`${JSON.stringify({ url, broken: true, token: result.token })}\n`);
    else process.stderr.write(`gcs-lock: broke ${url} (token ${result.token}); the lock is free\n`);
    return ExitCode.OK;
  }
  // Nothing changed. Say what is there now, so the operator can decide again with fresh facts.
  const { object, serverTime } = await store.get(target.bucket, target.object);
  let now = 'there is no lock object (it was released or broken already)';
  let current: string | undefined;
  if (object) {
    const parsed = parseLockObject(url, object, serverTime);
    current = object.generation;
    now = parsed.ok
      ? `it is now held by ${formatHolder(parsed.lock.info)}, token ${parsed.lock.info.token}`
      : `the object there (generation ${object.generation}) is not a gcs-lock lock: ${parsed.problem}`;
  }
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ url, broken: false, reason: result.status, currentToken: current ?? null })}\n`,
    );
  }
  process.stderr.write(
    `gcs-lock: did not break ${url}: token ${values.token} is not the current lease; nothing changed. ${now}.\n`,
  );
  return ExitCode.CONFLICT;
}
