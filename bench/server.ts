/**
 * Benchmark of the local GCS server: start-up to the first answered request, and requests per second
 * of small GETs and inserts with a few concurrent keep-alive clients (medians over repetitions); then
 * its bounds under hostile load and the cost of a persisted write (server-bounds.ts).
 * Run: npm run bench:server   (not asserted anywhere; numbers depend on the machine)
 * BENCH_BOUNDS=quick runs smaller floods, BENCH_BOUNDS=skip none.
 */
import { Agent, request } from 'node:http';
import { startServer, type RunningServer } from '../src/server/start-server.js';
import { connectionFlood, persistenceCost, resumableFlood } from './server-bounds.js';

const REPETITIONS = Number(process.env.BENCH_REPETITIONS ?? 5);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 4000);
const BUCKET = 'bench';

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

function call(agent: Agent, url: string, method: string, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, agent, headers: body ? { 'content-type': 'text/plain' } : {} },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function startup(): Promise<number> {
  const agent = new Agent({ keepAlive: false });
  const started = performance.now();
  const server = await startServer({ buckets: [BUCKET] });
  const status = await call(agent, `${server.url}/storage/v1/b/${BUCKET}`, 'GET');
  const elapsed = performance.now() - started;
  await server.close();
  if (status !== 200) throw new Error(`first request answered ${status}`);
  return elapsed;
}

type Workload = (server: RunningServer, i: number) => { url: string; method: string; body?: string };

const WORKLOADS: Record<string, Workload> = {
  'GET metadata': (s) => ({ url: `${s.url}/storage/v1/b/${BUCKET}/o/hot`, method: 'GET' }),
  'GET alt=media': (s) => ({ url: `${s.url}/storage/v1/b/${BUCKET}/o/hot?alt=media`, method: 'GET' }),
  'insert (media)': (s, i) => ({
    url: `${s.url}/upload/storage/v1/b/${BUCKET}/o?uploadType=media&name=obj-${i % 500}`,
    method: 'POST',
    body: 'small lock body',
  }),
  'insert ifGenerationMatch=0': (s, i) => ({
    url: `${s.url}/upload/storage/v1/b/${BUCKET}/o?uploadType=media&ifGenerationMatch=0&name=new-${i}`,
    method: 'POST',
    body: 'small lock body',
  }),
};

async function throughput(workload: Workload, clients: number): Promise<number> {
  const server = await startServer({ buckets: [BUCKET] });
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  await call(agent, `${server.url}/upload/storage/v1/b/${BUCKET}/o?uploadType=media&name=hot`, 'POST', 'x');
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < REQUESTS) {
        const { url, method, body } = workload(server, next++);
        const status = await call(agent, url, method, body);
        if (status !== 200) throw new Error(`${method} ${url}: ${status}`);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  await server.close();
  return REQUESTS / seconds;
}

async function main(): Promise<void> {
  await startup(); // warm-up: module loading and JIT are not the server's start-up
  const startups: number[] = [];
  for (let i = 0; i < REPETITIONS; i++) startups.push(await startup());
  console.log(`node ${process.version}, ${REPETITIONS} repetitions, ${REQUESTS} requests each\n`);
  console.log(`start-up to first answered request: median ${median(startups).toFixed(1)} ms\n`);
  console.log('| workload | clients | req/s (median) |');
  console.log('|---|---:|---:|');
  for (const [name, workload] of Object.entries(WORKLOADS)) {
    for (const clients of [1, 4, 16]) {
      const rates: number[] = [];
      for (let i = 0; i < REPETITIONS; i++) rates.push(await throughput(workload, clients));
      console.log(`| ${name} | ${clients} | ${Math.round(median(rates))} |`);
    }
  }
  const bounds = process.env.BENCH_BOUNDS ?? 'full';
  if (bounds === 'skip') return;
  const quick = bounds === 'quick';
  await resumableFlood(quick ? 16 : 48, 2);
  await connectionFlood(quick ? 600 : 2000);
  await persistenceCost(quick ? [0, 64] : [0, 64, 256], quick ? 20 : 50);
}

await main();
