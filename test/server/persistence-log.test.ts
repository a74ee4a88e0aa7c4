/**
 * The server's append-only log, below the HTTP layer: what a write costs, what survives a crash in
 * the middle of one, what happens when the disk refuses, and the rewrite that keeps the log small.
 */
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StorageEngine } from '../../src/server/engine/engine.js';
import { LOG_FILE, Persistence, type PersistenceOptions } from '../../src/server/persistence.js';
import { V1_SNAPSHOT_FILE } from '../../src/server/persistence-state.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gcs-lock-log-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** An engine whose changes go to a log in `dir`, as startServer wires them. */
async function logged(options: PersistenceOptions = {}, buckets = ['bkt']) {
  const wired: { persistence?: Persistence } = {};
  const engine = new StorageEngine({ buckets, onChange: (change) => wired.persistence?.record(change) });
  const persistence = await Persistence.open(dir, engine, options);
  wired.persistence = persistence;
  return { engine, persistence };
}

const logSize = (): number => statSync(join(dir, LOG_FILE)).size;
const state = (engine: StorageEngine) =>
  engine.listBuckets().map((bucket) => ({
    name: bucket.name,
    timeCreated: bucket.timeCreated,
    objects: [...bucket.objects.values()].map((o) => ({ ...o, data: o.data.toString('base64') })),
  }));

describe('persistence log', () => {
  it('a small change costs a small append, whatever is stored already', async () => {
    const { engine, persistence } = await logged();
    engine.insertObject('bkt', 'big', { data: Buffer.alloc(4 * 1024 * 1024, 7) });
    await persistence.flush();
    const stored = logSize();
    expect(stored).toBeGreaterThan(4 * 1024 * 1024);
    engine.insertObject('bkt', 'lock', { data: Buffer.from('{}'), metadata: { owner: 'me' } });
    await persistence.flush();
    const afterInsert = logSize();
    engine.patchObject('bkt', 'lock', { metadata: { owner: 'you' } });
    await persistence.flush();
    // Each record is a few hundred bytes of JSON: nothing like the 4 MiB already stored.
    expect(afterInsert - stored).toBeLessThan(2048);
    expect(logSize() - afterInsert).toBeLessThan(2048);
    await persistence.close();
  });

  it('restores every field exactly: generations, data, metadata (a "__proto__" key too), bucket times', async () => {
    const first = await logged();
    first.engine.insertObject('bkt', 'x', {
      data: Buffer.from([0, 10, 255, 13]),
      contentType: 'application/x-test',
      metadata: JSON.parse('{"__proto__":"kept","k":"v"}') as Record<string, string>,
    });
    first.engine.patchObject('bkt', 'x', { metadata: { k: 'w' } });
    first.engine.insertObject('bkt', 'gone', { data: Buffer.from('y') });
    first.engine.deleteObject('bkt', 'gone');
    first.engine.createBucket('later');
    await first.persistence.close();
    const second = await logged({}, []);
    expect(state(second.engine)).toEqual(state(first.engine));
    expect(Object.keys(second.engine.getObject('bkt', 'x').metadata)).toEqual(['__proto__', 'k']);
    expect(second.engine.lastGeneration).toBe(first.engine.lastGeneration);
    await second.persistence.close();
  });

  it('a record cut short by a crash ends the log there; the record before it and later appends survive', async () => {
    const first = await logged();
    first.engine.insertObject('bkt', 'whole', { data: Buffer.from('ok') });
    await first.persistence.close();
    appendFileSync(
      join(dir, LOG_FILE),
      '{"op":"put","bucket":"bkt","name":"torn","$buffers":{"data":100}}\nonly part',
    );
    const second = await logged();
    expect([...second.engine.getBucket('bkt').objects.keys()]).toEqual(['whole']);
    second.engine.insertObject('bkt', 'after', { data: Buffer.from('z') });
    await second.persistence.close();
    const third = await logged();
    expect([...third.engine.getBucket('bkt').objects.keys()].sort()).toEqual(['after', 'whole']);
    await third.persistence.close();
  });

  it('a damaged record in the middle is refused loudly, naming the file and the offset', async () => {
    const first = await logged();
    first.engine.insertObject('bkt', 'one', { data: Buffer.from('1') });
    await first.persistence.close();
    const size = logSize();
    appendFileSync(join(dir, LOG_FILE), 'garbage that is not json\n');
    await expect(logged()).rejects.toMatchObject({
      code: 'GCS_LOCK_DATA_DIR',
      message: expect.stringMatching(
        new RegExp(`${LOG_FILE}.* at byte ${size}: not a log record`),
      ) as unknown,
    });
  });

  it('a save that fails is reported, never claimed: a warning at once, flush and close reject', async () => {
    let failing = false;
    const options: PersistenceOptions = {
      open: async (path, flags) => {
        const handle: FileHandle = await open(path, flags);
        const writev = handle.writev.bind(handle);
        handle.writev = ((...args: Parameters<FileHandle['writev']>) =>
          failing
            ? Promise.reject(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }))
            : writev(...args)) as FileHandle['writev'];
        return handle;
      },
    };
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const { engine, persistence } = await logged(options);
      failing = true;
      engine.insertObject('bkt', 'lost', { data: Buffer.from('x') });
      await expect(persistence.flush()).rejects.toThrow(/could not save its state .*ENOSPC/);
      expect(persistence.failure).toBeDefined();
      await expect(persistence.close()).rejects.toThrow(/ENOSPC/);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((w) => w.message)).toEqual([expect.stringMatching(/could not save its state/)]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('recovers once the disk does: the next change rewrites the whole state, and close succeeds', async () => {
    let failing = false;
    const options: PersistenceOptions = {
      open: async (path, flags) => {
        const handle = await open(path, flags);
        const writev = handle.writev.bind(handle);
        handle.writev = ((...args: Parameters<FileHandle['writev']>) =>
          failing ? Promise.reject(new Error('EIO')) : writev(...args)) as FileHandle['writev'];
        return handle;
      },
    };
    const ignore = (): void => undefined;
    process.on('warning', ignore);
    const first = await logged(options);
    failing = true;
    first.engine.insertObject('bkt', 'one', { data: Buffer.from('1') });
    await expect(first.persistence.flush()).rejects.toThrow(/EIO/);
    failing = false;
    first.engine.insertObject('bkt', 'two', { data: Buffer.from('2') });
    await first.persistence.close();
    process.off('warning', ignore);
    const second = await logged();
    expect([...second.engine.getBucket('bkt').objects.keys()].sort()).toEqual(['one', 'two']);
    await second.persistence.close();
  });

  it('rewrites the log once it doubles, keeping it proportional to the live state; changes during a rewrite survive', async () => {
    const first = await logged({ compactionSlackBytes: 0 });
    for (let i = 0; i < 200; i++) {
      first.engine.insertObject('bkt', 'hot', { data: Buffer.alloc(1024, i) });
      if (i % 10 === 0) await first.persistence.flush();
    }
    first.persistence.rewrite();
    first.engine.insertObject('bkt', 'during', { data: Buffer.from('d') }); // queued behind the rewrite
    await first.persistence.close();
    expect(logSize()).toBeLessThan(3 * 1024 + 2048);
    expect(readdirSync(dir)).toEqual([LOG_FILE]);
    const second = await logged();
    expect(state(second.engine)).toEqual(state(first.engine));
    await second.persistence.close();
  });

  it("converts an earlier build's snapshot, and refuses one whose generations are not 16 digits", async () => {
    const snapshot = (generation: string) =>
      JSON.stringify({
        version: 1,
        lastGeneration: generation,
        buckets: [{ name: 'old' }],
        objects: [
          {
            bucket: 'old',
            name: 'o',
            generation,
            metageneration: '2',
            data: Buffer.from('v1').toString('base64'),
            contentType: 'text/plain',
            metadata: { a: 'b' },
            timeCreated: 1,
            updated: 2,
            md5Hash: 'x',
            crc32c: 'y',
          },
        ],
      });
    writeFileSync(join(dir, V1_SNAPSHOT_FILE), snapshot('1764300000000000'));
    const { engine, persistence } = await logged({}, []);
    expect(engine.getObject('old', 'o')).toMatchObject({ generation: 1764300000000000n, metageneration: 2n });
    expect(engine.getObject('old', 'o').data.toString()).toBe('v1');
    expect(existsSync(join(dir, V1_SNAPSHOT_FILE))).toBe(false);
    await persistence.close();

    rmSync(join(dir, LOG_FILE));
    writeFileSync(join(dir, V1_SNAPSHOT_FILE), snapshot('100000000000000000000')); // 21 digits
    await expect(logged({}, [])).rejects.toThrow(
      /not a 16-digit microsecond timestamp.*delete this data directory/,
    );
  });
});
