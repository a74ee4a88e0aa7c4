/**
 * `gcloud storage` (google-cloud-cli) against the local server, as a user points it there: the
 * endpoint override, no credentials, a throw-away configuration directory. Every command a user
 * reaches for first: cp (multipart, resumable and streamed), ls (with ** and paging), cat (whole and
 * a range), objects describe and update, mv, rm, and buckets create, describe, update and list.
 *
 * gcloud is on the CI machine image. Where it is not installed, this file says so on stderr and skips;
 * the @google-cloud/storage half of the suite (node-client.test.ts) runs everywhere.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../src/server/start-server.js';

/** The gcloud executable on PATH, or `undefined`. */
function findGcloud(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'gcloud');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const GCLOUD = findGcloud();
if (GCLOUD === undefined) {
  process.stderr.write(
    'real-client suite: gcloud is not on PATH, so the gcloud tests are skipped ' +
      '(install google-cloud-cli to run them; the @google-cloud/storage tests still run)\n',
  );
}

const BUCKET = 'gcloud-suite';
let server: RunningServer;
let work: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  if (GCLOUD === undefined) return;
  server = await startServer({ buckets: [BUCKET] });
  work = mkdtempSync(join(tmpdir(), 'gcs-lock-gcloud-'));
  env = {
    PATH: process.env.PATH,
    HOME: work,
    CLOUDSDK_CONFIG: join(work, 'config'),
    CLOUDSDK_API_ENDPOINT_OVERRIDES_STORAGE: `${server.url}/`,
    CLOUDSDK_AUTH_DISABLE_CREDENTIALS: 'True',
    CLOUDSDK_CORE_PROJECT: 'test',
    CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
    // Files above 1 MiB take the resumable path (GCS's default threshold is 8 MiB): a 3 MiB file tests it.
    CLOUDSDK_STORAGE_RESUMABLE_THRESHOLD: '1MiB',
    CLOUDSDK_STORAGE_UPLOAD_CHUNK_SIZE: '256KiB',
    CLOUDSDK_STORAGE_PARALLEL_COMPOSITE_UPLOAD_ENABLED: 'False',
    CLOUDSDK_STORAGE_PROCESS_COUNT: '1',
    CLOUDSDK_STORAGE_THREAD_COUNT: '1',
  };
}, 60_000);
afterAll(async () => {
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Runs `gcloud storage ...args`; rejects with its stderr when it fails. */
function gcloud(args: string[], stdin?: Buffer): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      GCLOUD!,
      ['storage', ...args],
      { env, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error)
          reject(new Error(`gcloud storage ${args.join(' ')}: ${error.message}\n${stderr.toString()}`));
        else resolve({ stdout: stdout.toString('latin1'), stderr: stderr.toString() });
      },
    );
    child.stdin?.end(stdin);
  });
}

/**
 * Counts requests from now on: a zero-latency fault rule per counter, which changes nothing. A rule
 * with a `count` retires once spent; 1000 is more than any test here sends.
 */
function countRequests(op: 'insert' | 'list', object?: string): () => number {
  const id = server.faults.add({
    kind: 'latency',
    latencyMs: 0,
    ops: [op],
    count: 1000,
    ...(object && { object }),
  });
  return () => 1000 - (server.faults.rules().find((rule) => rule.id === id)?.remaining ?? 0);
}

const objectData = (name: string): Buffer => server.engine.getObject(BUCKET, name).data;

// Each gcloud command starts a Python interpreter: on a busy machine a test of three commands can take
// longer than the suite's 30 s default, which is about the machine, not the server.
describe.skipIf(GCLOUD === undefined)('gcloud storage against the local server', { timeout: 120_000 }, () => {
  // gcloud starts a Python interpreter per command (about a second of CPU): independent commands run
  // side by side, to keep the suite within a minute on a busy machine.
  const small = Buffer.from('hello, gcloud\n');
  const large = randomBytes(3 * 1024 * 1024 + 123);

  it('cp uploads a small file in one multipart request and a large one through a resumable session', async () => {
    writeFileSync(join(work, 'small.txt'), small);
    writeFileSync(join(work, 'large.bin'), large);
    const smallInserts = countRequests('insert', 'docs/small.txt');
    const largeInserts = countRequests('insert', 'data/large.bin');
    await Promise.all([
      gcloud(['cp', join(work, 'small.txt'), `gs://${BUCKET}/docs/small.txt`]),
      gcloud(['cp', join(work, 'large.bin'), `gs://${BUCKET}/data/large.bin`]),
    ]);
    expect(smallInserts()).toBe(1);
    expect(largeInserts()).toBeGreaterThanOrEqual(2); // the session, then its data
    expect(objectData('docs/small.txt').equals(small)).toBe(true);
    expect(objectData('data/large.bin').equals(large)).toBe(true);
    expect(server.engine.getObject(BUCKET, 'docs/small.txt').contentType).toBe('text/plain');
  });

  it('cp - streams stdin in 256 KiB chunks of unknown total, and the download checks its hashes', async () => {
    const inserts = countRequests('insert', 'data/streamed.bin');
    await gcloud(['cp', '-', `gs://${BUCKET}/data/streamed.bin`], large);
    expect(inserts()).toBeGreaterThan(12); // 3 MiB in 256 KiB chunks
    expect(objectData('data/streamed.bin').equals(large)).toBe(true);
    await gcloud(['cp', `gs://${BUCKET}/data/streamed.bin`, join(work, 'down.bin')]);
    expect(readFileSync(join(work, 'down.bin')).equals(large)).toBe(true);
  });

  it('ls lists a level, ** lists everything, and a listing past 1000 objects is paged', async () => {
    for (let i = 0; i < 1001; i++) {
      server.engine.insertObject(BUCKET, `many/${String(i).padStart(4, '0')}`, { data: Buffer.from('m') });
    }
    const lists = countRequests('list');
    const [level, all, many] = await Promise.all([
      gcloud(['ls', `gs://${BUCKET}`]),
      gcloud(['ls', '-l', `gs://${BUCKET}/data/**`]),
      gcloud(['ls', `gs://${BUCKET}/many/`]),
    ]);
    expect(level.stdout.split('\n').filter(Boolean).sort()).toEqual([
      `gs://${BUCKET}/data/`,
      `gs://${BUCKET}/docs/`,
      `gs://${BUCKET}/many/`,
    ]);
    expect(all.stdout).toMatch(new RegExp(`\\s${large.length}\\s+\\S+\\s+gs://${BUCKET}/data/large\\.bin`));
    expect(all.stdout).toMatch(/TOTAL: 2 objects/);
    const names = many.stdout.split('\n').filter(Boolean);
    expect(names).toHaveLength(1001);
    expect(names.at(-1)).toBe(`gs://${BUCKET}/many/1000`);
    expect(lists()).toBeGreaterThanOrEqual(4); // a page of 1000, then the rest, beside the two others
    // Gone behind gcloud's back: `rm -r` would delete them one request at a time.
    for (let i = 0; i < 1001; i++) server.engine.deleteObject(BUCKET, `many/${String(i).padStart(4, '0')}`);
  });

  it('cat prints an object, or a byte range of it', async () => {
    const [whole, range] = await Promise.all([
      gcloud(['cat', `gs://${BUCKET}/docs/small.txt`]),
      gcloud(['cat', '-r', '7-12', `gs://${BUCKET}/docs/small.txt`]),
    ]);
    expect(whole.stdout).toBe(small.toString());
    expect(range.stdout).toBe('gcloud');
  });

  it('objects update sets custom metadata; objects describe shows the resource', async () => {
    const url = `gs://${BUCKET}/docs/small.txt`;
    await gcloud(['objects', 'update', url, '--custom-metadata=owner=me,team=locks']);
    const described = JSON.parse(
      (await gcloud(['objects', 'describe', url, '--format=json'])).stdout,
    ) as Record<string, unknown>;
    expect(described).toMatchObject({
      name: 'docs/small.txt',
      size: small.length,
      content_type: 'text/plain',
      metageneration: 2,
      custom_fields: { owner: 'me', team: 'locks' },
    });
    expect(described.crc32c_hash).toBe(server.engine.getObject(BUCKET, 'docs/small.txt').crc32c);
  });

  it('mv copies (rewriteTo) and deletes the source; rm and rm -r delete', async () => {
    await gcloud(['mv', `gs://${BUCKET}/docs/small.txt`, `gs://${BUCKET}/docs/moved.txt`]);
    const bucket = server.engine.getBucket(BUCKET);
    expect(bucket.objects.has('docs/small.txt')).toBe(false);
    expect(objectData('docs/moved.txt').equals(small)).toBe(true);
    expect(server.engine.getObject(BUCKET, 'docs/moved.txt').metadata).toEqual({
      owner: 'me',
      team: 'locks',
    });
    server.engine.insertObject(BUCKET, 'docs/more/one', { data: Buffer.from('1') });
    await gcloud(['rm', '-r', `gs://${BUCKET}/docs/moved.txt`, `gs://${BUCKET}/docs/more`]);
    expect([...bucket.objects.keys()].sort()).toEqual(['data/large.bin', 'data/streamed.bin']);
  });

  it('buckets create, update (versioning, soft delete), describe and list', async () => {
    await gcloud(['buckets', 'create', 'gs://gcloud-made']);
    await gcloud(['buckets', 'update', 'gs://gcloud-made', '--versioning', '--clear-soft-delete']);
    expect(server.engine.getBucket('gcloud-made').settings).toMatchObject({
      versioning: true,
      softDeleteRetentionSeconds: 0,
    });
    const [described, listed] = await Promise.all([
      gcloud(['buckets', 'describe', 'gs://gcloud-made', '--format=json']),
      gcloud(['buckets', 'list', '--format=value(name)']),
    ]);
    expect(JSON.parse(described.stdout)).toMatchObject({
      name: 'gcloud-made',
      default_storage_class: 'STANDARD',
      location: 'US',
      versioning_enabled: true,
      metageneration: 2,
    });
    expect(listed.stdout.split('\n').filter(Boolean).sort()).toEqual(['gcloud-made', BUCKET]);
  });
});
