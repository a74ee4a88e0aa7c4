import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigurationError } from '../errors/configuration-error.js';
import { ExitCode } from './exit-codes.js';
import { formatDurationOption } from './format.js';

/**
 * A mistake on the command line. Its message says what was wrong and what would be right; `main`
 * prints it with a pointer to `--help` and exits with `ExitCode.USAGE`.
 */
export class UsageError extends Error {
  override name = 'UsageError';
  readonly exitCode = ExitCode.USAGE;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** The result of `parseCommandLine`: option values, positionals before `--`, and everything after it. */
export interface ParsedCommandLine<T extends Options> {
  values: ReturnType<typeof parseArgs<{ options: T; allowPositionals: true; strict: true }>>['values'];
  positionals: string[];
  /** The arguments after the first `--`, verbatim; `undefined` when there was no `--`. */
  rest: string[] | undefined;
}

/**
 * `node:util` parseArgs, strict, with the arguments after `--` kept apart (so a command's own options
 * are never read as ours) and its errors turned into `UsageError`s that name the command.
 */
export function parseCommandLine<T extends Options>(
  command: string,
  args: string[],
  options: T,
): ParsedCommandLine<T> {
  const terminator = args.indexOf('--');
  const ours = terminator === -1 ? args : args.slice(0, terminator);
  const rest = terminator === -1 ? undefined : args.slice(terminator + 1);
  try {
    const { values, positionals } = parseArgs({
      args: attachNegativeValues(ours, options),
      options,
      allowPositionals: true,
      strict: true,
    });
    return { values, positionals, rest };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${command}: ${message.replace(/\. To specify a positional.*$/s, '')}`);
  }
}

/**
 * `--ttl -5` as `--ttl=-5`: parseArgs refuses a value that starts with a dash ("argument is
 * ambiguous... use '--ttl=-XYZ'"), so a negative number would get its advice about the syntax
 * instead of ours about the value. Only for options that take a value, and only for numbers.
 */
function attachNegativeValues(args: string[], options: Options): string[] {
  const takesValue = (token: string): string | undefined => {
    const long = token.startsWith('--') ? token.slice(2) : undefined;
    const name =
      long ??
      Object.keys(options).find((key) => token.length === 2 && options[key]?.short === token.slice(1));
    return name !== undefined && options[name]?.type === 'string' ? name : undefined;
  };
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const token = args[i]!;
    const next = args[i + 1];
    const name = token.startsWith('-') ? takesValue(token) : undefined;
    if (name !== undefined && next !== undefined && /^-\.?\d/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else {
      out.push(token);
    }
  }
  return out;
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration from the command line, in ms: a bare number is seconds (as flock's `-w`), or a number
 * with a unit: `500ms`, `30s`, `2m`, `1h`. With `range`, a value outside it is a usage error that
 * speaks in the units people type (seconds), not in the library's milliseconds.
 */
export function parseDuration(
  option: string,
  text: string,
  range: { min?: number; max?: number } = {},
): number {
  const trimmed = text.trim();
  const match = DURATION.exec(trimmed);
  if (!match) {
    const problem = /^-\.?\d/.test(trimmed) ? 'is negative' : 'is not a duration';
    throw new UsageError(
      `${option} ${JSON.stringify(text)} ${problem}: use seconds (30, 2.5) or a number with a unit (500ms, 30s, 2m, 1h)`,
    );
  }
  const ms = Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 's']!);
  const { min = 0, max = Number.MAX_SAFE_INTEGER } = range;
  if (ms < min) {
    throw new UsageError(`${option} ${text} is too short: use at least ${formatDurationOption(min)}`);
  }
  if (ms > max) {
    throw new UsageError(`${option} ${text} is too long: use at most ${formatDurationOption(max)}`);
  }
  return ms;
}

/** An exit code from the command line: an integer from 0 to 255. */
export function parseExitCode(option: string, text: string): number {
  if (!/^\d{1,3}$/.test(text) || Number(text) > 255) {
    throw new UsageError(
      `${option} ${JSON.stringify(text)} is not an exit code: use an integer from 0 to 255`,
    );
  }
  return Number(text);
}

/** A TCP port: an integer from 0 (any free port) to 65535. */
export function parsePort(option: string, text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new UsageError(`${option} ${JSON.stringify(text)} is not a port: use an integer from 0 to 65535`);
  }
  return Number(text);
}

/** Exactly `count` positionals, or a usage error naming what is missing or extra. */
export function expectPositionals(command: string, positionals: string[], names: string[]): string[] {
  if (positionals.length < names.length) {
    throw new UsageError(`${command}: missing ${names.slice(positionals.length).join(' ')}`);
  }
  if (positionals.length > names.length) {
    const extra = positionals.slice(names.length).map((p) => JSON.stringify(p));
    throw new UsageError(`${command}: unexpected argument${extra.length > 1 ? 's' : ''} ${extra.join(' ')}`);
  }
  return positionals;
}

/**
 * Runs `parse` on a command-line argument (a `gs://` URL), turning its `ConfigurationError` into a
 * `UsageError`, so that every command reports a bad URL the same way.
 */
export function parseArgument<T>(parse: (text: string) => T, text: string): T {
  try {
    return parse(text);
  } catch (error) {
    usageFromConfiguration(error);
  }
}

export function usageFromConfiguration(error: unknown): never {
  if (error instanceof ConfigurationError) throw new UsageError(error.message);
  throw error;
}
