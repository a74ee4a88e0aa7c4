import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SERVER_BENCH = fileURLToPath(new URL('../server.ts', import.meta.url));

export interface ServerResult {
  startupMs: number;
  /** req/s by workload and client count, as bench/server.ts prints them. */
  rates: Array<{ workload: string; clients: number; perSecond: number }>;
}

/**
 * The local server's own numbers come from bench/server.ts (its author's benchmark), run as a child
 * process with fewer repetitions so the whole run stays within its budget; this only parses its output.
 */
export async function serverBench(quick: boolean): Promise<ServerResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER_BENCH], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      BENCH_REPETITIONS: quick ? '1' : '2',
      BENCH_REQUESTS: quick ? '200' : '2000',
      // The floods and the persistence table take a while; the comparison bench reads only the rates.
      BENCH_BOUNDS: 'skip',
    },
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`bench/server.ts exited with ${code}:\n${out}`);
  const startup = /start-up[^:]*: median ([\d.]+) ms/.exec(out);
  const rates = [...out.matchAll(/^\| ([^|]+?) \| (\d+) \| (\d+) \|$/gm)].map((m) => ({
    workload: m[1]!,
    clients: Number(m[2]),
    perSecond: Number(m[3]),
  }));
  if (!startup || rates.length === 0) throw new Error(`could not read bench/server.ts output:\n${out}`);
  return { startupMs: Number(startup[1]), rates };
}
