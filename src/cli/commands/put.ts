import { readFile } from 'node:fs/promises';
import { FencedWriteRefusedError } from '../../errors/fenced-write-refused-error.js';
import { StorageError } from '../../errors/storage-error.js';
import { fencedWrite } from '../../lease/fenced-write.js';
import { parseLockUrl } from '../../util/lock-url.js';
import { expectPositionals, parseArgument, parseCommandLine, UsageError } from '../args.js';
import { ExitCode } from '../exit-codes.js';
import { PUT_HELP } from '../help.js';
import { STORE_OPTIONS, storeFor, storeSettings } from '../store.js';

const GENERATION = /^\d{1,30}$/;

/**
 * `gcs-lock put gs://BUCKET/OBJECT FILE|- [--fenced]`: one upload; with `--fenced`, a compose fenced
 * by the lease of the `gcs-lock run` this command runs under (from its environment).
 */
export async function putCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine('put', args, {
    ...STORE_OPTIONS,
    fenced: { type: 'boolean' },
    'if-generation-match': { type: 'string' },
    'content-type': { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(`${PUT_HELP}\n`);
    return ExitCode.OK;
  }
  const [url, file] = expectPositionals('put', positionals, ['gs://BUCKET/OBJECT', 'FILE|-']) as [
    string,
    string,
  ];
  const target = parseArgument(parseLockUrl, url);
  const ifGenerationMatch = values['if-generation-match'];
  if (ifGenerationMatch !== undefined && !GENERATION.test(ifGenerationMatch)) {
    throw new UsageError(
      `put: --if-generation-match ${JSON.stringify(ifGenerationMatch)} is not a generation: use 0 or a decimal generation`,
    );
  }
  const data = file === '-' ? await readStdin() : await readFile(file);
  const contentType = values['content-type'] ?? 'application/octet-stream';
  const store = storeFor(storeSettings(values));
  const preconditions = ifGenerationMatch === undefined ? {} : { ifGenerationMatch };
  if (!values.fenced) {
    try {
      const insert = { body: data, contentType, metadata: {}, preconditions };
      const { object } = await store.insert(target.bucket, target.object, insert);
      report(values.json, { url, generation: object.generation });
      return ExitCode.OK;
    } catch (error) {
      if (!(error instanceof StorageError) || error.status !== 412) throw error;
      process.stderr.write(`gcs-lock: did not write ${url}: its generation is not ${ifGenerationMatch}\n`);
      return ExitCode.CONFLICT;
    }
  }
  const fence = fenceFromEnvironment(target.bucket);
  try {
    const object = await fencedWrite({ store, ...fence }, target.object, data, {
      contentType,
      ...(ifGenerationMatch !== undefined && { ifGenerationMatch }),
    });
    report(values.json, { url, generation: object.generation, token: fence.token });
    return ExitCode.OK;
  } catch (error) {
    if (!(error instanceof FencedWriteRefusedError)) throw error;
    process.stderr.write(`gcs-lock: ${error.message}; nothing was written\n`);
    return error.reason === 'lock-changed' ? ExitCode.LOST : ExitCode.CONFLICT;
  }
}

/** The lease of the `gcs-lock run` this command runs under, as its environment describes it. */
function fenceFromEnvironment(bucket: string): {
  bucket: string;
  lockObject: string;
  generation: string;
  token: string;
} {
  const { GCS_LOCK_URL: lockUrl, GCS_LOCK_GENERATION: generation, GCS_LOCK_TOKEN: token } = process.env;
  if (!lockUrl || !generation || !token) {
    throw new UsageError(
      'put --fenced: GCS_LOCK_URL, GCS_LOCK_GENERATION and GCS_LOCK_TOKEN are not set: run it under `gcs-lock run`, ' +
        "e.g. gcs-lock run gs://my-locks/job -- sh -c 'gcs-lock put gs://my-locks/out/file - --fenced'",
    );
  }
  const lock = parseArgument(parseLockUrl, lockUrl);
  if (lock.bucket !== bucket) {
    throw new UsageError(
      `put --fenced: the destination must be in the lock's bucket (${lock.bucket}), not ${bucket}: ` +
        'GCS composes objects within one bucket only',
    );
  }
  if (!GENERATION.test(generation))
    throw new UsageError(
      `put --fenced: GCS_LOCK_GENERATION ${JSON.stringify(generation)} is not a generation`,
    );
  return { bucket, lockObject: lock.object, generation, token };
}

function report(json: boolean | undefined, fields: Record<string, string>): void {
  if (json) process.stdout.write(`${JSON.stringify(fields)}\n`);
  else process.stderr.write(`gcs-lock: wrote ${fields['url']} (generation ${fields['generation']})\n`);
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
