/**
 * The local server under hostile load, with its default limits: memory under a resumable-upload flood,
 * connections and memory under a many-connections flood, how long slow headers hold a connection, and
 * what a persisted write costs against the size already stored (against the cost of the single JSON
 * snapshot the server wrote before). Printed as markdown tables; part of `npm run bench:server`.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { StorageEngine } from '../src/server/engine/engine.js';
import { LOG_FILE, Persistence } from '../src/server/persistence.js';
import { startServer } from '../src/server/start-server.js';

const MiB = 1024 * 1024;
const mib = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;
/**
 * Memory after collecting garbage twice, a moment apart: a Buffer's memory is given back only after
 * the collection that found it dead, so one collection leaves the last flood's bytes on the books.
 */
const memory = async () => {
  global.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 100));
  global.gc?.();
  const { rss, arrayBuffers, heapUsed } = process.memoryUsage();
  return { rss, arrayBuffers, heapUsed };
};

function put(agent: Agent, url: string, body: Buffer, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** `sessions` unfinished uploads, each sent `chunks` chunks of 8 MiB, 8 at a time: far past the budget. */
export async function resumableFlood(sessions: number, chunks: number): Promise<void> {
  await using server = await startServer({ buckets: ['flood'] });
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const chunk = Buffer.alloc(8 * MiB, 7); // one buffer, sent again and again: the client holds 8 MiB
  const before = await memory();
  const statuses = new Map<number, number>();
  let peak = 0;
  let next = 0;
  const locations: string[] = [];
  for (let i = 0; i < sessions; i++) {
    const opened = await fetch(`${server.url}/upload/storage/v1/b/flood/o?uploadType=resumable&name=o${i}`, {
      method: 'POST',
    });
    locations.push(opened.headers.get('location')!);
  }
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < sessions * chunks) {
        const n = next++;
        const [session, index] = [n % sessions, Math.floor(n / sessions)];
        const start = index * chunk.length;
        const status = await put(agent, locations[session]!, chunk, {
          'content-range': `bytes ${start}-${start + chunk.length - 1}/*`,
        });
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        peak = Math.max(peak, server.stats().bufferedBytes);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const after = await memory();
  agent.destroy();
  console.log(
    `\n### Resumable-upload flood (default limits: ${mib(server.limits.maxBufferedBytes)} buffered at most)\n`,
  );
  // A chunk refused with 503 leaves a gap: the session's next chunk is then a 400 (resume from the gap).
  console.log(
    '| sessions x chunks (8 MiB) | sent | held at peak | answers 308 / 503 / 400 | Buffer memory growth | RSS growth | time |',
  );
  console.log('|---|---|---|---|---|---|---|');
  console.log(
    `| ${sessions} x ${chunks} | ${mib(sessions * chunks * chunk.length)} | ${mib(peak)} | ` +
      `${statuses.get(308) ?? 0} / ${statuses.get(503) ?? 0} / ${statuses.get(400) ?? 0} | ` +
      `${mib(after.arrayBuffers - before.arrayBuffers)} | ${mib(after.rss - before.rss)} | ${seconds.toFixed(1)} s |`,
  );
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

/** `count` connections at once, each sending half a request line; then how long until the server drops them. */
export async function connectionFlood(count: number): Promise<void> {
  await using server = await startServer({ buckets: ['conn'] });
  const before = await memory();
  const sockets: Socket[] = [];
  let refused = 0;
  let peakConnections = 0;
  for (let i = 0; i < count; i++) {
    const socket = await open(server.port).catch(() => undefined);
    if (!socket) continue;
    socket.on('error', () => undefined);
    socket.once('data', (data: Buffer) => {
      if (data.toString().startsWith('HTTP/1.1 503')) refused++;
    });
    socket.write('GET /storage/v1/b/conn HTTP/1.1\r\nHost: 127.0.0.1\r\n'); // slowloris: never finished
    sockets.push(socket);
    peakConnections = Math.max(peakConnections, server.stats().connections);
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  peakConnections = Math.max(peakConnections, server.stats().connections);
  const during = await memory();
  const started = performance.now();
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise((resolve) => (socket.destroyed ? resolve(undefined) : socket.once('close', resolve))),
    ),
  );
  const held = (performance.now() - started) / 1000;
  console.log(
    `\n### Many-connections flood (default limits: ${server.limits.maxConnections} connections, ` +
      `headers within ${server.limits.headersTimeoutMs / 1000} s)\n`,
  );
  console.log(
    '| connections opened | open at peak | answered 503 at once | heap and Buffer growth | slow headers dropped after |',
  );
  console.log('|---|---|---|---|---|');
  const growth = during.heapUsed + during.arrayBuffers - before.heapUsed - before.arrayBuffers;
  console.log(
    `| ${sockets.length} | ${peakConnections} | ${refused} | ${mib(growth)} | ${held.toFixed(1)} s |`,
  );
}

/** The old persistence: the whole state as one base64 JSON string per save (only its serialisation, timed). */
function oldSnapshotMs(engine: StorageEngine): number {
  const started = performance.now();
  const objects = engine.listBuckets().flatMap((bucket) =>
    [...bucket.objects.values()].map((object) => ({
      ...object,
      generation: object.generation.toString(),
      metageneration: object.metageneration.toString(),
      data: object.data.toString('base64'),
    })),
  );
  JSON.stringify({ version: 1, objects });
  return performance.now() - started;
}

/** What one small persisted write costs with `storedMiB` already stored, and what a full rewrite costs. */
export async function persistenceCost(storedSizes: number[], writes: number): Promise<void> {
  console.log('\n### Persistence: a small write against what is stored\n');
  console.log(
    '| stored | write + fdatasync (median) | appended per write | event-loop delay, max, during writes | ' +
      'full rewrite (compaction) | event-loop delay, max, during rewrite | old snapshot: serialisation per write |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const stored of storedSizes) {
    const dir = mkdtempSync(join(tmpdir(), 'gcs-lock-bench-'));
    const wired: { persistence?: Persistence } = {};
    const engine = new StorageEngine({
      buckets: ['bench'],
      onChange: (change) => wired.persistence?.record(change),
    });
    const persistence = await Persistence.open(dir, engine);
    wired.persistence = persistence;
    const blob = Buffer.alloc(4 * MiB, 1);
    for (let i = 0; i < stored / 4; i++) engine.insertObject('bench', `blob-${i}`, { data: blob });
    await persistence.flush();
    const delay = monitorEventLoopDelay({ resolution: 1 });
    const times: number[] = [];
    const sizeBefore = statSync(join(dir, LOG_FILE)).size;
    delay.enable();
    for (let i = 0; i < writes; i++) {
      const started = performance.now();
      engine.insertObject('bench', 'lock', { data: Buffer.from('{}'), metadata: { owner: `w${i}` } });
      await persistence.flush();
      times.push(performance.now() - started);
    }
    delay.disable();
    const appended = (statSync(join(dir, LOG_FILE)).size - sizeBefore) / writes;
    const writeStall = delay.max / 1e6;
    delay.reset();
    delay.enable();
    const rewriteStarted = performance.now();
    persistence.rewrite();
    await persistence.flush();
    const rewriteMs = performance.now() - rewriteStarted;
    delay.disable();
    const rewriteStall = delay.max / 1e6;
    const old = stored > 0 ? `${oldSnapshotMs(engine).toFixed(0)} ms` : '-';
    await persistence.close();
    rmSync(dir, { recursive: true, force: true });
    times.sort((a, b) => a - b);
    console.log(
      `| ${stored} MiB | ${times[Math.floor(times.length / 2)]!.toFixed(1)} ms | ${appended.toFixed(0)} B | ` +
        `${writeStall.toFixed(1)} ms | ${rewriteMs.toFixed(0)} ms | ${rewriteStall.toFixed(1)} ms | ${old} |`,
    );
  }
}
