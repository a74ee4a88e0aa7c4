import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { GcsStore } from '../src/store/gcs-store.js';
import { startServer, type RunningServer } from '../src/server/start-server.js';
import { check, type CheckResult } from './checker.js';
import { FaultSchedule, INITIAL_CLOCK_OFFSET_MS, type Holder, type TortureFault } from './faults.js';
import {
  HistoryWriter,
  monoNow,
  type HistoryEvent,
  type OrchestratorEvent,
  type Unstamped,
  type WorkerEvent,
} from './history.js';
import { counterObject, lockObject, type WorkerConfig } from './worker-config.js';

export interface TortureOptions {
  workers: number;
  locks: number;
  durationMs: number;
  /** Acquisitions per worker; null to run for the whole duration. */
  quota: number | null;
  faults: readonly TortureFault[];
  ttl: number;
  historyPath: string;
  /** Liveness slack on top of ttl + one poll after a SIGKILL. @default 6000 */
  slackMs?: number;
  /** Progress lines (to stderr in the CLI). */
  log?: (line: string) => void;
}

export interface TortureResult {
  check: CheckResult;
  historyPath: string;
  events: HistoryEvent[];
}

const BUCKET = 'torture';
const POLL_INITIAL = 100;
const POLL_MAX = 1000;
const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Slot {
  worker: number;
  incarnation: number;
  child: ChildProcess | undefined;
  acquired: number;
  done: boolean;
  exited: Promise<void>;
}

/**
 * Runs one torture run: the local server in this process, N worker processes, the fault schedule,
 * then the final read of every counter and lock object, and the checker over the history.
 */
export async function runTorture(options: TortureOptions): Promise<TortureResult> {
  const log = options.log ?? (() => undefined);
  const lossMargin = Math.floor(options.ttl / 5);
  const locks = Array.from({ length: options.locks }, (_, i) => `lock-${i + 1}`);
  const history = new HistoryWriter(options.historyPath);
  const stamp = (): { t: number; mono: number } => ({ t: Date.now(), mono: monoNow() });
  const record = (event: Unstamped<OrchestratorEvent>): void => history.append({ ...stamp(), ...event });

  const server = await startServer({
    buckets: [BUCKET],
    clockOffsetMs: options.faults.includes('clock') ? INITIAL_CLOCK_OFFSET_MS : 0,
  });
  const slots: Slot[] = [];
  const paused = new Set<ChildProcess>();
  let endMono: number | undefined;
  let schedule: FaultSchedule | undefined;
  /** Set once the run is over: killed workers are no longer replaced. */
  let stopping = false;
  try {
    record({
      type: 'run-start',
      config: {
        workers: options.workers,
        locks,
        ttl: options.ttl,
        lossMargin,
        pollMax: POLL_MAX,
        slackMs: options.slackMs ?? 6000,
        durationMs: options.durationMs,
        quota: options.quota,
        faults: [...options.faults],
      },
    });
    const ready = new Set<number>();
    let onReady: () => void = () => undefined;

    const spawnWorker = (slot: Slot): void => {
      const config: WorkerConfig = {
        worker: slot.worker,
        incarnation: slot.incarnation,
        endpoint: server.url,
        bucket: BUCKET,
        locks,
        ttl: options.ttl,
        pollInitial: POLL_INITIAL,
        pollMax: POLL_MAX,
        quota: options.quota === null ? null : Math.max(0, options.quota - slot.acquired),
        ...(endMono === undefined ? {} : { endMono }),
      };
      const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(config)], {
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      slot.child = child;
      record({ type: 'spawn', worker: slot.worker, pid: child.pid ?? -1, incarnation: slot.incarnation });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-2000);
      });
      child.stdin?.on('error', () => undefined); // a killed worker's stdin may be gone
      const lines = createInterface({ input: child.stdout });
      const linesClosed = new Promise<void>((resolve) => lines.once('close', () => resolve()));
      lines.on('line', (line) => {
        let event: WorkerEvent;
        try {
          event = JSON.parse(line) as WorkerEvent;
        } catch {
          return; // not ours (a stray console line)
        }
        history.append(event);
        if (event.type === 'acquired') slot.acquired++;
        if (event.type === 'done') slot.done = true;
        if (event.type === 'worker-error') log(`worker ${slot.worker}: ${event.message}`);
        if (event.type === 'ready') {
          ready.add(slot.worker);
          onReady();
        }
        schedule?.onEvent(event);
      });
      slot.exited = new Promise((resolve) => {
        child.once('exit', (code, signal) => {
          paused.delete(child);
          // Let the last lines of its stdout be read before recording the exit.
          void linesClosed.then(() => {
            record({ type: 'exit', worker: slot.worker, pid: child.pid ?? -1, code, signal });
            if (code !== 0 && signal !== 'SIGKILL') log(`worker ${slot.worker} exited ${code}: ${stderr}`);
            if (signal === 'SIGKILL' && !slot.done && !stopping) {
              slot.incarnation++;
              spawnWorker(slot);
              resolve(slot.exited);
            } else resolve();
          });
        });
      });
    };
    for (let worker = 0; worker < options.workers; worker++) {
      const slot: Slot = {
        worker,
        incarnation: 0,
        child: undefined,
        acquired: 0,
        done: false,
        exited: Promise.resolve(),
      };
      slots.push(slot);
      spawnWorker(slot);
    }
    // Start-up under tsx takes a while on a busy machine; the clock starts when all are ready.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('workers did not start within 60 s')), 60_000);
      onReady = () => {
        if (ready.size < options.workers) return;
        clearTimeout(timer);
        resolve();
      };
      onReady();
    });
    endMono = monoNow() + options.durationMs;
    for (const slot of slots) slot.child?.stdin?.write(`go ${endMono}\n`);
    log(
      `${options.workers} workers on ${locks.length} locks for ${options.durationMs / 1000} s, faults: ${options.faults.join(',') || 'none'}`,
    );

    const byPid = (pid: number): ChildProcess | undefined => slots.find((s) => s.child?.pid === pid)?.child;
    schedule = new FaultSchedule(
      options.faults,
      {
        server,
        ttl: options.ttl,
        lossMargin,
        counterObject,
        record: (kind, detail) => record({ type: 'fault', kind, detail }),
        kill: (holder: Holder, during) => {
          const child = byPid(holder.pid);
          if (!child) return;
          record({ type: 'kill', ...holder, during });
          child.kill('SIGKILL');
        },
        pause: (holder: Holder, ms) => {
          const child = byPid(holder.pid);
          if (!child || paused.has(child)) return;
          record({ type: 'pause', ...holder, ms });
          paused.add(child);
          child.kill('SIGSTOP');
          setTimeout(() => {
            if (!paused.delete(child)) return;
            child.kill('SIGCONT');
            record({ type: 'resume', worker: holder.worker, pid: holder.pid });
          }, ms);
        },
      },
      Math.max(1200, Math.round(options.ttl * 0.75)),
    );
    schedule.start(Math.min(1000, options.durationMs / 10));
    // A quiet tail: no new faults, so holders killed late are taken over and no lock is left behind.
    const quietTail = 2 * options.ttl + 2000;
    const quiet = setTimeout(() => schedule?.stop(), Math.max(0, options.durationMs - quietTail));

    // Bounded wait: every worker stops by itself at the end time (or its quota).
    const limit = new Promise<'late'>((resolve) =>
      setTimeout(() => resolve('late'), options.durationMs + 10 * options.ttl + 30_000).unref(),
    );
    const finished = Promise.all(slots.map((slot) => slot.exited)).then(() => 'ok' as const);
    const outcome = await Promise.race([finished, limit]);
    stopping = true;
    clearTimeout(quiet);
    schedule.stop();
    if (outcome === 'late') log('some workers did not finish in time; killing them');

    const store = new GcsStore({ endpoint: server.url });
    const counters: Record<string, number> = {};
    for (const lock of locks) {
      const { object } = await store.get(BUCKET, counterObject(lock));
      counters[lock] = Number(object?.metadata['value'] ?? '0');
    }
    const { items } = await store.list(BUCKET, { prefix: lockObject('') });
    record({
      type: 'final',
      counters,
      // Lock objects are never deleted (release marks them released); one still held is left behind.
      // Fair-mode tickets are not locks: a killed waiter's ticket expires by itself.
      leftover: items
        .filter(
          (item) =>
            item.metadata['gcs-lock-state'] === 'held' && item.metadata['gcs-lock-kind'] === undefined,
        )
        .map((item) => item.name),
      delivered: schedule.delivered,
    });
    record({ type: 'run-end' });
  } finally {
    // Every child dies with the run, also on failure; a stopped one must be continued to die cleanly.
    for (const slot of slots) {
      const child = slot.child;
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      }
    }
    schedule?.stop();
    history.close();
    await closeServer(server);
  }
  return { check: check(history.events), historyPath: options.historyPath, events: history.events };
}

async function closeServer(server: RunningServer): Promise<void> {
  await server.close().catch(() => undefined);
}
