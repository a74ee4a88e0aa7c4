import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../server/start-server.js';
import { expectPositionals, parseCommandLine, parseDuration, UsageError } from '../args.js';
import { checkDemo, type DemoInterval } from '../demo/check.js';
import { preciseNow, type WorkerMessage } from '../demo/messages.js';
import { ExitCode } from '../exit-codes.js';
import { formatDuration, formatTable } from '../format.js';
import { DEMO_HELP } from '../help.js';

const BUCKET = 'gcs-lock-demo';
const OBJECT = 'demo-lock';
const HOLD = '1s';
const DEADLINE_MS = 120_000;

/**
 * `gcs-lock demo`: the local server in-process, worker processes contending for one lock, one of
 * them SIGKILLed while it holds it; a timestamped line per event, then a summary checked by
 * `checkDemo`. The crashing worker starts first and holds the lock before the others start, so that
 * the crash always happens while others wait: the takeover is part of every run.
 */
export async function demoCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine('demo', args, {
    workers: { type: 'string' },
    rounds: { type: 'string' },
    ttl: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(`${DEMO_HELP}\n`);
    return ExitCode.OK;
  }
  expectPositionals('demo', positionals, []);
  const workers = Number(values.workers ?? '5');
  const rounds = Number(values.rounds ?? '2');
  if (!Number.isInteger(workers) || workers < 2 || workers > 20)
    throw new UsageError('demo: --workers must be 2 to 20');
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 10)
    throw new UsageError('demo: --rounds must be 1 to 10');
  // The demo is meant to take seconds: a ttl of minutes would make its takeover a long wait.
  const ttlMs = parseDuration('--ttl', values.ttl ?? '3s', { min: 1_000, max: 60_000 });

  const server = await startServer({ buckets: [BUCKET] });
  const url = `gs://${BUCKET}/${OBJECT}`;
  const t0 = preciseNow();
  const out = (who: string, text: string): void => {
    const at = `+${((preciseNow() - t0) / 1000).toFixed(3)}s`.padStart(9);
    process.stdout.write(`${at}  ${who.padEnd(3)}  ${text}\n`);
  };
  process.stdout.write(
    `gcs-lock demo: ${workers} worker processes contend for ${url} (ttl ${formatDuration(ttlMs)}) ` +
      `on a local GCS server at ${server.url}.\nw1 will be killed with SIGKILL while it holds the lock.\n\n`,
  );

  const intervals: DemoInterval[] = [];
  const children = new Map<string, ChildProcess>();
  let crashAt: number | undefined;
  let failures = 0;
  const main = fileURLToPath(new URL('../main.js', import.meta.url));

  const startWorker = (name: string, crash: boolean): Promise<void> => {
    const child = spawn(
      process.execPath,
      [
        main,
        'demo-worker',
        url,
        '--endpoint',
        server.url,
        '--name',
        name,
        '--ttl',
        `${ttlMs}ms`,
        '--hold',
        HOLD,
        '--rounds',
        String(crash ? 1 : rounds),
        ...(crash ? ['--crash'] : []),
      ],
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    children.set(name, child);
    child.on('message', (message: WorkerMessage) => onMessage(name, message));
    child.on('error', (error) => out(name, `worker error: ${error.message}`));
    return new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        const open = intervals.find((interval) => interval.worker === name && interval.end === undefined);
        if (signal === 'SIGKILL' && crash) {
          // Its critical section ends at its death, as the parent sees it: a conservative upper bound.
          crashAt = preciseNow();
          if (open) {
            open.end = crashAt;
            open.crashed = true;
          }
          out(
            name,
            `CRASHED (SIGKILL) while holding token ${open?.token ?? '?'}: no release; its lease stays until the ttl runs out`,
          );
        } else if (code !== 0) {
          failures += 1;
          out(name, `exited unexpectedly (${signal ?? `status ${code}`})`);
        }
        resolve();
      });
    });
  };

  const waited = new Set<string>();
  const onMessage = (name: string, message: WorkerMessage): void => {
    switch (message.type) {
      case 'waiting':
        out(name, `waits: held by ${message.holder ?? 'someone'}, token ${message.token}`);
        // Everyone else is queued behind w1 now: time for it to crash.
        if (!waited.has(name) && waited.add(name).size === workers - 1) children.get('w1')?.send('crash');
        break;
      case 'acquired':
        intervals.push({
          worker: name,
          token: message.token,
          start: message.start,
          end: undefined,
          crashed: false,
          tookOver: message.tookOver,
        });
        out(
          name,
          message.tookOver
            ? `TOOK OVER the expired lease (token ${message.previousToken ?? '?'}) -> holds it, token ${message.token}`
            : `holds the lock, token ${message.token}`,
        );
        break;
      case 'released': {
        const interval = intervals.find((i) => i.worker === name && i.token === message.token);
        if (interval) interval.end = message.end;
        out(name, `releases token ${message.token} after ${formatDuration(message.end - message.start)}`);
        break;
      }
      case 'lost': {
        const interval = intervals.find((i) => i.worker === name && i.token === message.token);
        if (interval) interval.end = message.end;
        failures += 1;
        out(name, `LOST its lease (token ${message.token}): ${message.reason}`);
        break;
      }
      case 'crashing':
        out(name, `is about to crash while holding token ${message.token}...`);
        break;
      case 'done':
        out(name, 'done');
        break;
    }
  };

  const deadline = setTimeout(() => {
    process.stderr.write(
      `gcs-lock demo: not finished after ${formatDuration(DEADLINE_MS)}; stopping the workers\n`,
    );
    failures += 1;
    for (const child of children.values()) child.kill('SIGKILL');
  }, DEADLINE_MS);
  const stop = (): void => {
    for (const child of children.values()) child.kill('SIGKILL');
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    // w1 first, and the others only once it holds the lock: the crash then always happens while
    // others wait for it.
    const first = startWorker('w1', true);
    await waitFor(() => intervals.length > 0 || children.get('w1')?.exitCode !== null);
    const rest = Array.from({ length: workers - 1 }, (_, i) => startWorker(`w${i + 2}`, false));
    await Promise.all([first, ...rest]);
  } finally {
    clearTimeout(deadline);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await server.close();
  }
  return printSummary(intervals, { ttlMs, crashAt, expectedSections: (workers - 1) * rounds, t0, failures });
}

function printSummary(
  intervals: DemoInterval[],
  options: {
    ttlMs: number;
    crashAt: number | undefined;
    expectedSections: number;
    t0: number;
    failures: number;
  },
): number {
  const { t0 } = options;
  const at = (time: number | undefined): string =>
    time === undefined ? '-' : `+${((time - t0) / 1000).toFixed(3)}s`;
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const rows = sorted.map((interval, index) => [
    String(index + 1),
    interval.worker,
    interval.token,
    at(interval.start),
    at(interval.end),
    interval.end === undefined ? '-' : formatDuration(interval.end - interval.start),
    [interval.tookOver && 'took over', interval.crashed && 'CRASHED (end = death)']
      .filter(Boolean)
      .join(', '),
  ]);
  process.stdout.write(`\nCritical sections, in the order the lock was granted:\n`);
  process.stdout.write(
    `${formatTable(['#', 'worker', 'fencing token', 'start', 'end', 'held', 'note'], rows)}\n`,
  );
  const checks = checkDemo(intervals, options);
  if (options.failures > 0)
    checks.push({ ok: false, text: `${options.failures} worker(s) failed (see above)` });
  process.stdout.write('\nChecks:\n');
  for (const check of checks)
    process.stdout.write(`  ${check.ok ? 'PASS' : check.warning ? 'WARN' : 'FAIL'}  ${check.text}\n`);
  const passed = checks.every((check) => check.ok || check.warning);
  process.stdout.write(
    passed ? '\ngcs-lock demo: all checks passed.\n' : '\ngcs-lock demo: CHECKS FAILED.\n',
  );
  return passed ? ExitCode.OK : ExitCode.CONFLICT;
}

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}
