import { ConfigurationError } from '../errors/configuration-error.js';
import { MalformedLockError } from '../errors/malformed-lock-error.js';
import { StorageError } from '../errors/storage-error.js';
import { UsageError } from './args.js';
import { ExitCode } from './exit-codes.js';

/**
 * Prints an error as one `gcs-lock: ...` message that says what went wrong and what would help,
 * and returns the exit code for it. Stacks are shown only for bugs (unexpected errors).
 */
export function reportError(error: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  const { message, exitCode } = describeError(error);
  stderr.write(`gcs-lock: ${message}\n`);
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
    const environment = error.option === 'authClient' || error.option === 'endpoint';
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

function describeStorageError(error: StorageError): { message: string; exitCode: number } {
  if (error.status === 401 || error.status === 403) {
    return {
      message:
        `${error.message}\nThe credentials were refused. The lock needs storage.objects.create, .get, ` +
        '.update and .delete on the bucket (roles/storage.objectUser); `list` also needs .list.',
      exitCode: ExitCode.PERMISSION,
    };
  }
  if (error.status === 404) {
    return {
      message: `${error.message}\nDoes the bucket exist, and is the endpoint right?`,
      exitCode: ExitCode.UNAVAILABLE,
    };
  }
  if (error.status === undefined) {
    return {
      message: `${error.message}\nCould not reach the storage service: check the network, or --endpoint / STORAGE_EMULATOR_HOST.`,
      exitCode: ExitCode.UNAVAILABLE,
    };
  }
  return { message: error.message, exitCode: ExitCode.UNAVAILABLE };
}
