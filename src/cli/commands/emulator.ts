import { GCS_RATE_LIMIT } from '../../server/engine/rate-limiter.js';
import { startServer } from '../../server/start-server.js';
import { expectPositionals, parseCommandLine, parsePort } from '../args.js';
import { ExitCode } from '../exit-codes.js';
import { EMULATOR_HELP } from '../help.js';

/**
 * `gcs-lock emulator`: a thin wrapper over `startServer`. Prints where it listens and the
 * `export STORAGE_EMULATOR_HOST=...` line, then runs until SIGINT or SIGTERM and closes cleanly.
 */
export async function emulatorCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine('emulator', args, {
    port: { type: 'string', short: 'p' },
    host: { type: 'string' },
    bucket: { type: 'string', short: 'b', multiple: true },
    'rate-limit': { type: 'boolean' },
    'data-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(`${EMULATOR_HELP}\n`);
    return ExitCode.OK;
  }
  expectPositionals('emulator', positionals, []);
  const server = await startServer({
    port: values.port === undefined ? 4443 : parsePort('--port', values.port),
    host: values.host ?? '127.0.0.1',
    buckets: values.bucket ?? [],
    rateLimit: values['rate-limit'] ? GCS_RATE_LIMIT : false,
    ...(values['data-dir'] !== undefined && { dataDir: values['data-dir'] }),
  });
  const buckets = values.bucket?.length
    ? ` with bucket${values.bucket.length > 1 ? 's' : ''} ${values.bucket.join(', ')}`
    : '';
  process.stdout.write(
    `gcs-lock emulator listening on ${server.url}${buckets}\n` +
      `export STORAGE_EMULATOR_HOST=${server.url}\n`,
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stderr.write(`gcs-lock emulator: ${signal}, stopping\n`);
  await server.close();
  return ExitCode.OK;
}
