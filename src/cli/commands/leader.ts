import { Election } from '../../election/election.js';
import type { Leader } from '../../election/leader.js';
import { MAX_TTL } from '../../core/resolve-options.js';
import { parseLockUrl } from '../../util/lock-url.js';
import { printable, printableLines } from '../../util/printable.js';
import { expectPositionals, parseArgument, parseCommandLine, parseDuration } from '../args.js';
import { ExitCode } from '../exit-codes.js';
import { formatDuration, formatHolder } from '../format.js';
import { LEADER_HELP } from '../help-primitives.js';
import { noticeFor } from '../storage-notice.js';
import { STORE_OPTIONS, storeFor, storeSettings } from '../store.js';
import { formatAge } from '../wait-progress.js';

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * `gcs-lock leader gs://BUCKET/OBJECT [--watch] [--json]`: who leads an election, from reads alone.
 * Once: one GET; exit 0 when someone leads, 1 when no one does. `--watch`: a line for the leader now,
 * then one per change (a new term, a resignation, an expiry), until interrupted (then exit 0).
 */
export async function leaderCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine('leader', args, {
    ...STORE_OPTIONS,
    watch: { type: 'boolean' },
    interval: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(`${LEADER_HELP}\n`);
    return ExitCode.OK;
  }
  const [url] = expectPositionals('leader', positionals, ['gs://BUCKET/OBJECT']) as [string];
  const target = parseArgument(parseLockUrl, url);
  const interval =
    values.interval === undefined
      ? undefined
      : parseDuration('--interval', values.interval, { min: 100, max: MAX_TTL });
  const settings = storeSettings(values);
  const notice = noticeFor(settings);
  const election = new Election({
    ...target,
    store: storeFor(settings),
    onEvent: notice.onLockEvent,
    ...(settings.requestTimeout !== undefined && { requestTimeout: settings.requestTimeout }),
  });
  const show = (leader: Leader | null, watching: boolean): void => {
    const line = values.json
      ? JSON.stringify({ ...(watching && { time: new Date().toISOString() }), url: election.url, leader })
      : formatLeader(election.url, leader, watching);
    process.stdout.write(`${printableLines(line)}\n`);
  };
  if (!values.watch) {
    const leader = await election.leader().finally(() => notice.stop());
    show(leader, false);
    return leader === null ? ExitCode.CONFLICT : ExitCode.OK;
  }
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  try {
    for await (const leader of election.observe({
      signal: stop.signal,
      ...(interval !== undefined && { interval }),
    })) {
      notice.stop();
      show(leader, true);
    }
    return ExitCode.OK;
  } finally {
    notice.stop();
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  }
}

/**
 * `gs://b/leaders/x: replica-7 leads (token 17, since ... (3m ago), host box pid 42; its term
 * expires in 24s unless refreshed)`, or `...: no leader`. Watching, each line starts with the time.
 */
export function formatLeader(url: string, leader: Leader | null, watching = false): string {
  const time = watching ? `${new Date().toISOString()} ` : '';
  if (leader === null) return `${time}${printable(url)}: no leader`;
  const serverNow = leader.expiresAt.getTime() - leader.expiresInMs;
  return (
    `${time}${printable(url)}: ${printable(leader.candidate)} leads (token ${leader.token}, ` +
    `since ${leader.since.toISOString()} (${formatAge(serverNow - leader.since.getTime())} ago), ` +
    `${formatHolder(leader)}; its term expires in ${formatDuration(Math.max(0, leader.expiresInMs))} unless refreshed)`
  );
}
