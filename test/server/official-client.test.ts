/**
 * The official `@google-cloud/storage` client against the local server: its default resumable
 * `save()`, the one-request `resumable: false` upload, getMetadata, setMetadata and delete, each with
 * preconditions, and 412 exactly where GCS answers it.
 */
import { randomBytes } from 'node:crypto';
import { Storage, type File } from '@google-cloud/storage';
import { describe, expect, it } from 'vitest';
import { officialClientForFile } from './support.js';

const BUCKET = 'official-client';
const { server, storage } = officialClientForFile({ buckets: [BUCKET] });

const statusOf = async (promise: Promise<unknown>): Promise<number | string> => {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return (error as { code?: number }).code ?? String(error);
  }
};

/** Counts insert requests from now on, with a zero-latency rule (latency rules count but change nothing). */
function countInserts(): () => number {
  server().faults.clear();
  const before = server().faults.delivered.latency;
  server().faults.add({ kind: 'latency', latencyMs: 0, ops: ['insert'] });
  return () => server().faults.delivered.latency - before;
}

const generationOf = async (file: File): Promise<string> => String((await file.getMetadata())[0].generation);

describe.each([
  ['resumable', true],
  ['one-request', false],
])('save (%s)', (_kind, resumable) => {
  it('creates with ifGenerationMatch=0, refuses a second create with 412, overwrites with the live generation', async () => {
    const file = storage()
      .bucket(BUCKET)
      .file(`save-${String(resumable)}/ünï/${randomBytes(4).toString('hex')}`);
    const requests = countInserts();
    await file.save('first', {
      resumable,
      preconditionOpts: { ifGenerationMatch: 0 },
      metadata: { metadata: { v: '1' } },
    });
    // The resumable path opens a session and then PUTs the data; the other path is one POST.
    expect(requests()).toBe(resumable ? 2 : 1);
    const [first] = await file.getMetadata();
    expect(first.metadata).toEqual({ v: '1' });
    expect(
      await statusOf(file.save('second', { resumable, preconditionOpts: { ifGenerationMatch: 0 } })),
    ).toBe(412);
    expect(
      await statusOf(file.save('second', { resumable, preconditionOpts: { ifGenerationMatch: '1' } })),
    ).toBe(412);
    await file.save('third', {
      resumable,
      preconditionOpts: { ifGenerationMatch: String(first.generation) },
    });
    expect((await file.download())[0].toString()).toBe('third');
    expect(await generationOf(file)).not.toBe(String(first.generation));
  });
});

describe('resumable chunks', () => {
  it('uploads in Content-Range chunks (308 in between) and the client validates the checksums', async () => {
    const file = storage().bucket(BUCKET).file('chunked');
    const data = randomBytes(600 * 1024);
    const requests = countInserts();
    await file.save(data, { resumable: true, chunkSize: 256 * 1024, validation: 'crc32c' });
    expect(requests()).toBe(4); // the session, then chunks of 256 KiB, 256 KiB and 88 KiB
    expect((await file.download())[0].equals(data)).toBe(true);
  });
});

describe('metadata and delete', () => {
  it('getMetadata honours generation preconditions', async () => {
    const file = storage().bucket(BUCKET).file('get-meta');
    await file.save('x', { resumable: false });
    const generation = await generationOf(file);
    expect(await statusOf(file.getMetadata({ ifGenerationMatch: generation }))).toBe('ok');
    expect(await statusOf(file.getMetadata({ ifGenerationMatch: `${generation}1` }))).toBe(412);
    expect(await statusOf(file.getMetadata({ ifMetagenerationMatch: 2 }))).toBe(412);
  });

  it('setMetadata with ifMetagenerationMatch: applies once, then 412; null removes a key', async () => {
    const file = storage().bucket(BUCKET).file('set-meta');
    await file.save('x', { resumable: false, metadata: { metadata: { a: '1', b: '2' } } });
    const [patched] = await file.setMetadata({ metadata: { b: null, c: '3' } }, { ifMetagenerationMatch: 1 });
    expect(patched.metageneration).toBe('2');
    expect(patched.metadata).toEqual({ a: '1', c: '3' });
    expect(await statusOf(file.setMetadata({ metadata: { d: '4' } }, { ifMetagenerationMatch: 1 }))).toBe(
      412,
    );
    expect((await file.getMetadata())[0].metadata).toEqual({ a: '1', c: '3' });
  });

  it('delete with a stale generation is 412 and keeps the object; with the live one it deletes', async () => {
    const file = storage().bucket(BUCKET).file('delete-me');
    await file.save('x', { resumable: false });
    const generation = await generationOf(file);
    expect(await statusOf(file.delete({ ifGenerationMatch: `${generation}1` }))).toBe(412);
    expect((await file.exists())[0]).toBe(true);
    await file.delete({ ifGenerationMatch: generation });
    expect((await file.exists())[0]).toBe(false);
    expect(await statusOf(file.delete())).toBe(404);
  });

  it('lists with a prefix', async () => {
    const bucket = storage().bucket(BUCKET);
    await bucket.file('listed/one').save('1', { resumable: false });
    await bucket.file('listed/two').save('2', { resumable: false });
    const [files] = await bucket.getFiles({ prefix: 'listed/' });
    expect(files.map((f) => f.name)).toEqual(['listed/one', 'listed/two']);
  });
});

describe('STORAGE_EMULATOR_HOST', () => {
  it('points the client at the server when set to its URL, as the variable is documented', async () => {
    const saved = process.env.STORAGE_EMULATOR_HOST;
    process.env.STORAGE_EMULATOR_HOST = server().url;
    try {
      const viaEnv = new Storage({
        projectId: 'test-project',
        retryOptions: { autoRetry: false, maxRetries: 0 },
      });
      const file = viaEnv.bucket(BUCKET).file('via-env');
      await file.save('env', { preconditionOpts: { ifGenerationMatch: 0 } });
      expect((await file.getMetadata())[0].size).toBe('3');
      expect(await statusOf(file.save('env', { preconditionOpts: { ifGenerationMatch: 0 } }))).toBe(412);
      await file.delete();
    } finally {
      if (saved === undefined) delete process.env.STORAGE_EMULATOR_HOST;
      else process.env.STORAGE_EMULATOR_HOST = saved;
    }
  });
});
