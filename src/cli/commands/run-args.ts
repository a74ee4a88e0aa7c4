import { DEFAULT_TTL, MAX_TTL, MIN_TTL } from '../../core/resolve-options.js';
import { MAX_LIMIT } from '../../core/semaphore-header.js';
import { formatLockUrl, parseLockUrl } from '../../util/lock-url.js';
import { parseArgument, parseCommandLine, parseDuration, parseExitCode, UsageError } from '../args.js';
import { ExitCode } from '../exit-codes.js';
import { formatDuration, formatDurationOption } from '../format.js';
import { STORE_OPTIONS, storeSettings, type StoreSettings } from '../store.js';

/** The longest `-w` that means anything: a year (leave `-w` out to wait for ever). */
const MAX_WAIT = 365 * 24 * 3_600_000;
/** The default `--kill-grace`, when the ttl leaves room for it (a ttl of 100 s or more). */
export const DEFAULT_KILL_GRACE_MS = 10_000;

/** The parsed `run` command line. */
export interface RunPlan {
  url: string;
  bucket: string;
  object: string;
  command: string;
  args: string[];
  /** ms to wait; 0 for `-n`; Infinity by default. */
  timeout: number;
  conflictExitCode: number;
  ttl: number;
  /** The holder declares its lease lost this long before a waiter may judge it expired. */
  lossMargin: number;
  description: string | undefined;
  killGraceMs: number;
  store: StoreSettings;
  json: boolean;
  quiet: boolean;
  /** `--permits N`: hold one of N permits of a semaphore (Semaphore) instead of the lock. */
  permits: number | undefined;
}

/**
 * The loss margin `run` gives the lock: the library's default, a fifth of the ttl. The holder
 * declares its lease lost `ttl − lossMargin` after its last good refresh; a waiter can judge the
 * lease expired only `ttl` after it. The command must be dead within that margin.
 */
export function lossMarginFor(ttl: number): number {
  return Math.floor(ttl / 5);
}

/**
 * The longest `--kill-grace` for a ttl: half the loss margin. The other half is what the margin is
 * for in the first place: the lateness of timers on a busy machine, the time a SIGKILL takes to land,
 * and the server's clock running a little ahead of the holder's. So the command has had its SIGKILL
 * before any waiter can judge the lease expired: 6 s for the default 60 s ttl, 1 s for 10 s, 100 ms
 * for 1 s.
 */
export function maxKillGrace(ttl: number): number {
  return Math.floor(lossMarginFor(ttl) / 2);
}

/** The shortest ttl, in whole seconds, that allows `graceMs` of grace. */
function ttlForGrace(graceMs: number): number {
  let ttl = Math.max(MIN_TTL, Math.ceil((graceMs * 10) / 1000) * 1000);
  while (maxKillGrace(ttl) < graceMs) ttl += 1000;
  return ttl;
}

/** Parses `run`'s arguments; `null` for `--help`. Throws `UsageError` with what would be right. */
export function parseRunArgs(args: string[]): RunPlan | null {
  const { values, positionals, rest } = parseCommandLine('run', args, {
    ...STORE_OPTIONS,
    nonblock: { type: 'boolean', short: 'n' },
    wait: { type: 'string', short: 'w' },
    'conflict-exit-code': { type: 'string', short: 'E' },
    ttl: { type: 'string' },
    description: { type: 'string' },
    'kill-grace': { type: 'string' },
    json: { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
    permits: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return null;
  const common = commandPlan('run', values, positionals, rest);
  if (values.nonblock && values.wait !== undefined) {
    throw new UsageError('run: use either -n (fail at once) or -w SECONDS (wait that long), not both');
  }
  return {
    ...common,
    timeout: values.nonblock
      ? 0
      : values.wait !== undefined
        ? parseDuration('-w/--wait', values.wait, { min: 0, max: MAX_WAIT })
        : Infinity,
    conflictExitCode:
      values['conflict-exit-code'] === undefined
        ? ExitCode.CONFLICT
        : parseExitCode('-E/--conflict-exit-code', values['conflict-exit-code']),
    permits: values.permits === undefined ? undefined : parsePermits(values.permits),
  };
}

/** What `run` and `elect` read alike from their command lines: all of a plan but how to wait. */
export type CommandPlan = Omit<RunPlan, 'timeout' | 'conflictExitCode' | 'permits'>;

/**
 * The part of a plan that `run` and `elect` parse alike: the lock's URL, the command after `--`, the
 * lease's ttl and loss margin, the kill grace, description, store and output options.
 */
export function commandPlan(
  verb: string,
  values: {
    ttl?: string;
    description?: string;
    'kill-grace'?: string;
    json?: boolean;
    quiet?: boolean;
    endpoint?: string;
    'request-timeout'?: string;
  },
  positionals: string[],
  rest: string[] | undefined,
): CommandPlan {
  const { url, command, commandArgs } = commandLine(verb, positionals, rest);
  const target = parseArgument(parseLockUrl, url);
  const ttl =
    values.ttl === undefined
      ? DEFAULT_TTL
      : parseDuration('--ttl', values.ttl, { min: MIN_TTL, max: MAX_TTL });
  return {
    url: formatLockUrl(target.bucket, target.object),
    ...target,
    command,
    args: commandArgs,
    ttl,
    lossMargin: lossMarginFor(ttl),
    description: values.description,
    killGraceMs: killGrace(values['kill-grace'], ttl, values.ttl),
    store: storeSettings(values),
    json: values.json ?? false,
    quiet: values.quiet ?? false,
  };
}

/**
 * `gcs-lock VERB gs://BUCKET/OBJECT -- COMMAND [ARGS...]` (run, elect): the URL, and the command after
 * `--`; a usage error, naming the verb, for a missing URL, a missing `--` or a missing command.
 */
export function commandLine(
  verb: string,
  positionals: string[],
  rest: string[] | undefined,
): { url: string; command: string; commandArgs: string[] } {
  const [url, ...extra] = positionals;
  if (url === undefined)
    throw new UsageError(
      `${verb}: missing gs://BUCKET/OBJECT: gcs-lock ${verb} gs://BUCKET/OBJECT -- COMMAND`,
    );
  if (rest === undefined || extra.length > 0) {
    const example = [
      `gcs-lock ${verb}`,
      url,
      '--',
      ...(extra.length > 0 ? extra : ['COMMAND', '[ARGS...]']),
    ].join(' ');
    throw new UsageError(
      `${verb}: put -- before the command, so that its options are not read as gcs-lock's: ${example}`,
    );
  }
  const [command, ...commandArgs] = rest;
  if (command === undefined)
    throw new UsageError(
      `${verb}: missing the command after --: gcs-lock ${verb} ${url} -- COMMAND [ARGS...]`,
    );
  return { url, command, commandArgs };
}

/** `--permits N`: a whole number of permits from 1 to 1000. */
export function parsePermits(text: string): number {
  if (!/^\d{1,4}$/.test(text) || Number(text) < 1 || Number(text) > MAX_LIMIT) {
    throw new UsageError(
      `--permits ${JSON.stringify(text)} is not a number of permits: use a whole number from 1 to ${MAX_LIMIT}`,
    );
  }
  return Number(text);
}

/** `--kill-grace`, bounded so that the command is dead before a waiter may take the lock. */
export function killGrace(text: string | undefined, ttl: number, ttlText: string | undefined): number {
  const max = maxKillGrace(ttl);
  if (text === undefined) return Math.min(DEFAULT_KILL_GRACE_MS, max);
  const grace = parseDuration('--kill-grace', text, { min: 0, max: MAX_TTL });
  if (grace > max) {
    const forTtl = ttlText === undefined ? 'the default ttl (60s)' : `--ttl ${ttlText}`;
    throw new UsageError(
      `run: --kill-grace ${text} is too long for ${forTtl}: at most ${formatDurationOption(max)}, so that the ` +
        `command is dead before a waiter may take the lock (the lease is declared lost ` +
        `${formatDuration(lossMarginFor(ttl))} before it can expire). Use a shorter --kill-grace, ` +
        `or --ttl ${formatDurationOption(ttlForGrace(grace))} or more`,
    );
  }
  return grace;
}
