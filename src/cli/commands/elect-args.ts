import { MAX_TTL } from '../../core/resolve-options.js';
import { resolveCandidate } from '../../election/options.js';
import { parseCommandLine, parseDuration, UsageError, usageFromConfiguration } from '../args.js';
import { ExitCode } from '../exit-codes.js';
import { STORE_OPTIONS } from '../store.js';
import { commandPlan, type RunPlan } from './run-args.js';

/** The default `--backoff`: how long `elect` waits after a term ends before campaigning again. */
export const DEFAULT_BACKOFF_MS = 2_000;

/** The parsed `elect` command line: what `run` needs to run the command in each term, and more. */
export interface ElectPlan extends RunPlan {
  candidate: string;
  /** Run the command in one term only, and exit with its status. */
  once: boolean;
  /** ms between the end of a term and the next campaign. */
  backoff: number;
}

/** Parses `elect`'s arguments; `null` for `--help`. Throws `UsageError` with what would be right. */
export function parseElectArgs(args: string[]): ElectPlan | null {
  const { values, positionals, rest } = parseCommandLine('elect', args, {
    ...STORE_OPTIONS,
    candidate: { type: 'string' },
    once: { type: 'boolean' },
    wait: { type: 'string', short: 'w' },
    backoff: { type: 'string' },
    ttl: { type: 'string' },
    description: { type: 'string' },
    'kill-grace': { type: 'string' },
    json: { type: 'boolean' },
    quiet: { type: 'boolean', short: 'q' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return null;
  const common = commandPlan('elect', values, positionals, rest);
  if (values.wait !== undefined && !values.once) {
    throw new UsageError('elect: -w/--wait gives up a single campaign: use it with --once');
  }
  let candidate: string;
  try {
    candidate = resolveCandidate(values.candidate);
  } catch (error) {
    usageFromConfiguration(error);
  }
  return {
    ...common,
    timeout:
      values.wait === undefined
        ? Infinity
        : parseDuration('-w/--wait', values.wait, { min: 0, max: MAX_TTL }),
    conflictExitCode: ExitCode.CONFLICT,
    permits: undefined,
    candidate,
    once: values.once ?? false,
    backoff:
      values.backoff === undefined
        ? DEFAULT_BACKOFF_MS
        : parseDuration('--backoff', values.backoff, { min: 0, max: MAX_TTL }),
  };
}
