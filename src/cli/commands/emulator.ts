import { rmSync, writeFileSync } from 'node:fs';
import { GCS_RATE_LIMIT } from '../../server/engine/rate-limiter.js';
import { DATA_DIR_ERROR } from '../../server/persistence.js';
import { startServer, type RunningServer } from '../../server/start-server.js';
import { expectPositionals, parseCommandLine, parsePort, UsageError } from '../args.js';
import { ExitCode } from '../exit-codes.js';
import { EMULATOR_HELP } from '../help.js';
import {
  checkBuckets,
  exposureWarning,
  limitsFromFlags,
  listenFailure,
  parseControl,
  parseGenerations,
} from './emulator-options.js';

/**
 * `gcs-lock emulator`: a thin wrapper over `startServer`. Prints where it listens and the
 * `export STORAGE_EMULATOR_HOST=...` line, then runs until SIGINT or SIGTERM and closes cleanly.
 * Every way it can fail to start (a bad flag, a taken port, an unusable --data-dir) is one line on
 * stderr and an exit code of its own, never a stack trace.
 */
export async function emulatorCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine('emulator', args, {
    port: { type: 'string', short: 'p' },
    host: { type: 'string' },
    bucket: { type: 'string', short: 'b', multiple: true },
    'rate-limit': { type: 'boolean' },
    'data-dir': { type: 'string' },
    control: { type: 'string' },
    'max-object-size': { type: 'string' },
    'max-buffered': { type: 'string' },
    'max-connections': { type: 'string' },
    'upload-session-ttl': { type: 'string' },
    'pid-file': { type: 'string' },
    generations: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(`${EMULATOR_HELP}\n`);
    return ExitCode.OK;
  }
  expectPositionals('emulator', positionals, []);
  const port = values.port === undefined ? 4443 : parsePort('--port', values.port);
  const host = values.host ?? '127.0.0.1';
  if (host.trim() === '') throw new UsageError('emulator: --host is empty: use an address such as 127.0.0.1');
  const buckets = values.bucket ?? [];
  checkBuckets(buckets);
  const limits = limitsFromFlags(values);
  const controlOn = parseControl(values.control);
  const generations = parseGenerations(values.generations);
  // From the environment, not a flag: a flag would show the token to everyone who runs `ps`.
  const token = process.env.GCS_LOCK_CONTROL_TOKEN || undefined;

  let server: RunningServer;
  try {
    server = await startServer({
      port,
      host,
      buckets,
      rateLimit: values['rate-limit'] ? GCS_RATE_LIMIT : false,
      limits,
      generations,
      control: !controlOn ? false : token === undefined ? true : { token },
      ...(values['data-dir'] !== undefined && { dataDir: values['data-dir'] }),
    });
  } catch (error) {
    const failure = listenFailure(error, host, port) ?? dataDirFailure(error, values['data-dir']);
    if (!failure) throw error;
    process.stderr.write(`gcs-lock: ${failure.message}\n`);
    return failure.exitCode;
  }
  const warning = exposureWarning(host, controlOn, token !== undefined);
  if (warning) process.stderr.write(`gcs-lock emulator: warning: ${warning}\n`);
  // Listening for the signals before anyone can learn the pid or the URL: a script that reads either
  // and stops the server at once must find it ready to close cleanly, not killed by the default action.
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const pidFile = values['pid-file'];
  if (pidFile !== undefined) writeFileSync(pidFile, `${process.pid}\n`);
  const named =
    buckets.length > 0 ? ` with bucket${buckets.length > 1 ? 's' : ''} ${buckets.join(', ')}` : '';
  process.stdout.write(
    `gcs-lock emulator listening on ${server.url}${named}\n` + `export STORAGE_EMULATOR_HOST=${server.url}\n`,
  );
  const signal = await stopped;
  process.stderr.write(`gcs-lock emulator: ${signal}, stopping\n`);
  try {
    await server.close();
  } catch (error) {
    process.stderr.write(`gcs-lock: emulator: ${(error as Error).message}\n`);
    return ExitCode.DATA_DIR;
  } finally {
    if (pidFile !== undefined) rmSync(pidFile, { force: true });
  }
  return ExitCode.OK;
}

/** A --data-dir that cannot be read, written or understood: one line naming it, and its exit code. */
function dataDirFailure(
  error: unknown,
  dataDir: string | undefined,
): { message: string; exitCode: number } | undefined {
  if (dataDir === undefined || (error as { code?: unknown } | undefined)?.code !== DATA_DIR_ERROR)
    return undefined;
  return {
    message: `emulator: --data-dir ${dataDir}: ${(error as Error).message}`,
    exitCode: ExitCode.DATA_DIR,
  };
}
