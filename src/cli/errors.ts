import { ConfigurationError } from '../errors/configuration-error.js';
import { MalformedLockError } from '../errors/malformed-lock-error.js';
import { StorageError } from '../errors/storage-error.js';
import { UsageError } from './args.js';
import { ExitCode } from './exit-codes.js';
import { printableLines } from '../util/printable.js';

/**
 * Prints an error as one `gcs-lock: ...` message that says what went wrong and what would help,
 * and returns the exit code for it. Stacks are shown only for bugs (unexpected errors).
 */
export function reportError(error: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  const { message, exitCode } = describeError(error);
  // Messages quote others' text (a server's error, an object name): make it inert.
  stderr.write(`${printableLines(`gcs-lock: ${message}`)}\n`);
  return exitCode;
}

/** The message and exit code for an error, without printing it. */
export function describeError(error: unknown): { message: string; exitCode: number } {
  if (error instanceof UsageError) {
    return { message: `${error.message}\nRun \`gcs-lock --help\` for usage.`, exitCode: ExitCode.USAGE };
  }
  if (error instanceof ConfigurationError) {
    // Bad input typed on the command line (a URL, a ttl) is a usage error; missing credentials or a
    // bad endpoint is the environment's configuration.
    const environment = ['authClient', 'endpoint', 'STORAGE_EMULATOR_HOST'].includes(error.option);
    return { message: error.message, exitCode: environment ? ExitCode.CONFIG : ExitCode.USAGE };
  }
  if (error instanceof MalformedLockError) return { message: error.message, exitCode: ExitCode.NOT_A_LOCK };
  if (error instanceof StorageError) return describeStorageError(error);
  if (error instanceof Error && error.message.startsWith('could not obtain credentials')) {
    return { message: error.message, exitCode: ExitCode.CONFIG };
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { message: `internal error (please report it): ${detail}`, exitCode: ExitCode.INTERNAL };
}

/**
 * A storage error's message and exit code. The library's message already says what to fix for
 * 401, 403 and a missing bucket; a hint is added only where it has none, so none is said twice.
 */
function describeStorageError(error: StorageError): { message: string; exitCode: number } {
  if (error.status === 401 || error.status === 403) {
    return { message: error.message, exitCode: ExitCode.PERMISSION };
  }
  if (error.status === 404) {
    const hint = /does not exist/.test(error.message)
      ? ''
      : '\nDoes the bucket exist, and is the endpoint right?';
    return { message: `${error.message}${hint}`, exitCode: ExitCode.UNAVAILABLE };
  }
  if (error.status === undefined) {
    return {
      message: `${error.message}\nCould not reach the storage service: check the network, or --endpoint / STORAGE_EMULATOR_HOST.`,
      exitCode: ExitCode.UNAVAILABLE,
    };
  }
  return { message: error.message, exitCode: ExitCode.UNAVAILABLE };
}
