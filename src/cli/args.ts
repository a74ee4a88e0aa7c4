import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigurationError } from '../errors/configuration-error.js';
import { ExitCode } from './exit-codes.js';

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
    const { values, positionals } = parseArgs({ args: ours, options, allowPositionals: true, strict: true });
    return { values, positionals, rest };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${command}: ${message.replace(/\. To specify a positional.*$/s, '')}`);
  }
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration from the command line, in ms: a bare number is seconds (as flock's `-w`), or a number
 * with a unit: `500ms`, `30s`, `2m`, `1h`.
 */
export function parseDuration(option: string, text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) {
    throw new UsageError(
      `${option} ${JSON.stringify(text)} is not a duration: use seconds (30, 2.5) or a number with a unit (500ms, 30s, 2m, 1h)`,
    );
  }
  return Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 's']!);
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

/** A ConfigurationError about a URL, restated as a usage error (bad input typed on the command line). */
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
