import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { monoNow } from './history.js';
import { ProcessLog } from './process-log.js';
import { cliVerb } from './primitives.js';
import { runWorkerLoop } from './worker-loop.js';
import { cliSource, lockObject, type StepConfig, type WorkerConfig } from './worker-config.js';

/**
 * A CLI driver: in a loop, `gcs-lock run gs://torture/locks/lock-N -- sh -c '<step> | cat'`. The
 * command is a pipeline, so the step (cli-step.ts) is a grandchild of gcs-lock: what `run` does to
 * the whole process tree on a loss, or when gcs-lock itself is SIGKILLed, is what is tested. The step
 * records its own events; this driver records what gcs-lock said (--json) and when it exited, and
 * passes the step's notification lines (its stdout, through cat and gcs-lock) on to the orchestrator.
 */
const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
const log = new ProcessLog(config.dir, cliSource(config.worker), config.worker);
const emit = log.emit.bind(log);
/** The command gcs-lock runs: a pipeline, so that the step is not gcs-lock's own child. */
const PIPELINE = '"$TORTURE_NODE" "$TORTURE_STEP_FILE" | cat';

/** The next command holds the lock for 2.5 ttl: the orchestrator asks for it when a CLI fault waits. */
let nextLong = false;

/** One `gcs-lock run`. Resolves whether the command ran (gcs-lock announced the lock as acquired). */
async function iteration(end: number): Promise<boolean> {
  const cli = config.cli ?? [];
  const lock = config.locks[Math.floor(Math.random() * config.locks.length)]!;
  const wait = Math.round(Math.min(config.waitTimeout ?? 5 * config.ttl, end - monoNow()));
  const long = nextLong;
  nextLong = false;
  const step: StepConfig = {
    worker: config.worker,
    endpoint: config.endpoint,
    bucket: config.bucket,
    counter: config.counter,
    ...(config.counterToken !== undefined && { counterToken: config.counterToken }),
    dir: config.dir,
    plannedMs: long ? Math.round(2.5 * config.ttl) : Math.round(50 + Math.random() * 200),
    stubborn: Math.random() < 0.3,
  };
  const args = [
    ...cli.slice(1),
    // --primitive: `run`, `elect --once`, or `run --permits N` (primitives.ts).
    ...cliVerb(config),
    `gs://${config.bucket}/${lockObject(lock)}`,
    '--endpoint',
    config.endpoint,
    '--ttl',
    `${config.ttl}ms`,
    '-w',
    `${wait}ms`,
    '--description',
    `torture cli ${config.worker}`,
    '--json',
    '--',
    'sh',
    '-c',
    PIPELINE,
  ];
  const child = spawn(cli[0] ?? process.execPath, args, {
    env: {
      ...process.env,
      TORTURE_STEP: JSON.stringify(step),
      TORTURE_NODE: process.execPath,
      TORTURE_STEP_FILE: config.step ?? '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const cliPid = child.pid ?? -1;
  emit({ type: 'cli-start', lock, cliPid, long, timeoutMs: wait });
  let acquired = false;
  // The step's lines: relayed as they are (they carry the step's own source and seq).
  createInterface({ input: child.stdout }).on('line', (line) => process.stdout.write(`${line}\n`));
  createInterface({ input: child.stderr }).on('line', (line) => {
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return; // not an event (--json sends nothing else, but a crash trace would land here)
    }
    const name = String(event['event']);
    if (name === 'acquired') acquired = true;
    const token = typeof event['token'] === 'string' ? { token: event['token'] } : {};
    const error = event['error'] as { reason?: unknown } | undefined;
    const reason = typeof error?.reason === 'string' ? { reason: error.reason } : {};
    emit({ type: 'cli-event', lock, cliPid, name, ...token, ...reason });
  });
  // Only gcs-lock's own exit counts: a command that outlived it keeps the pipes open.
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
    child.once('exit', (c, s) => resolve([c, s])),
  );
  emit({ type: 'cli-exit', lock, cliPid, code, signal });
  return acquired;
}

runWorkerLoop({
  log,
  role: 'cli',
  incarnation: 0,
  quota: config.quota,
  round: iteration,
  restMs: 300,
  onCommand: ([word]) => (nextLong ||= word === 'long'),
});
