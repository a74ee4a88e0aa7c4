import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startServer } from '../src/server/start-server.js';
import { check, type CheckResult } from './checker.js';
import { FaultSchedule, INITIAL_CLOCK_OFFSET_MS, type Holder, type TortureFault } from './faults.js';
import {
  EventFile,
  monoNow,
  type CounterMode,
  type HistoryEvent,
  type OrchestratorEvent,
  type Unstamped,
  type WorkerEvent,
} from './history.js';
import { cliCommand, HISTORY_FILE, killLeftover, mergeRunFiles, snapshot, stepPids } from './run-files.js';
import { stampServer } from './stamps.js';
import { stampQueueAndComposes } from './stamps-queue-compose.js';
import { litter, waitPlan, type RunVariant } from './run-variant.js';
import { bundleProcesses } from './bundle.js';
import { workerSource, cliSource, type WorkerConfig } from './worker-config.js';
import { DEFAULT_PERMITS, lockObjectsOf, type Primitive } from './primitives.js';

export interface TortureOptions extends RunVariant {
  /** Worker slots in all; the last `cliWorkers` of them drive `gcs-lock run`. */
  workers: number;
  /** @default max(1, workers / 4) */
  cliWorkers?: number;
  locks: number;
  durationMs: number;
  /** Acquisitions per worker; null to run for the whole duration. */
  quota: number | null;
  faults: readonly TortureFault[];
  ttl: number;
  /** @default 'fenced' */
  counter?: CounterMode;
  /** What the workers hold: locks, elections, or semaphores of `permits`. @default 'lock' */
  primitive?: Primitive;
  /** @default DEFAULT_PERMITS */
  permits?: number;
  /** The run's directory: every process's event file, and the merged history.jsonl. */
  dir: string;
  /** Liveness slack on top of ttl + one poll after a SIGKILL. @default 6000 */
  slackMs?: number;
  /** Progress lines (to stderr in the CLI). */
  log?: (line: string) => void;
  /** Run on a bucket with Object Versioning (every replaced grant kept as noncurrent). @default false */
  versioned?: boolean;
}

export interface TortureResult {
  check: CheckResult;
  historyPath: string;
  events: HistoryEvent[];
}

const BUCKET = 'torture';
const POLL_INITIAL = 250;
const POLL_MAX = 2000;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Slot {
  worker: number;
  role: 'lib' | 'cli';
  incarnation: number;
  child: ChildProcess | undefined;
  acquired: number;
  done: boolean;
  exited: Promise<void>;
}

/**
 * Runs one torture run: the local server in this process (its commits stamped in server order), N
 * worker processes each writing its own event file, the fault schedule, then the final state, the
 * merge of every file into one history, and the checker over it.
 */
export async function runTorture(options: TortureOptions): Promise<TortureResult> {
  const log = options.log ?? (() => undefined);
  const lossMargin = Math.floor(options.ttl / 5);
  const counter = options.counter ?? 'fenced';
  const cliWorkers = Math.min(
    options.workers,
    options.cliWorkers ?? Math.max(1, Math.floor(options.workers / 4)),
  );
  const locks = Array.from({ length: options.locks }, (_, i) => `lock-${i + 1}`);
  const primitive = options.primitive ?? 'lock';
  const permits = options.permits ?? DEFAULT_PERMITS;
  rmSync(options.dir, { recursive: true, force: true });
  mkdirSync(options.dir, { recursive: true });
  const file = new EventFile(join(options.dir, 'orchestrator.jsonl'), 'o');
  const record = (event: Unstamped<OrchestratorEvent>): void => void file.append(event);
  const bundle = await bundleProcesses(ROOT);
  const generations = options.generations ?? 'increasing';
  const versioned = options.versioned ?? false;
  // Elections and semaphores are not fair-queued: their runs are judged as unfair ones.
  const fair = primitive === 'lock' && (options.fair ?? true);
  const counterToken = options.counterToken ?? 'fence';
  const { waitTimeoutMs } = waitPlan(options.workers, options.ttl, POLL_INITIAL);
  const server = await startServer({
    buckets: [{ name: BUCKET, versioning: versioned }],
    generations,
    clockOffsetMs: options.faults.includes('clock') ? INITIAL_CLOCK_OFFSET_MS : 0,
  });
  const slots: Slot[] = [];
  const paused = new Set<ChildProcess>();
  const seen = new Map<string, number>();
  const cliPids = new Set<number>();
  const cli = cliCommand(ROOT);
  let endMono: number | undefined;
  let schedule: FaultSchedule | undefined;
  /** Set once the run is over: killed workers are no longer replaced. */
  let stopping = false;
  stampServer(server.engine, BUCKET, record, {
    lockCommitted: (lock, op, changed) => {
      schedule?.holders.onLockCommitted(lock, op, changed);
      schedule?.stops.onLockCommitted(lock, op);
    },
    lockRefused: (lock, op, status) => schedule?.holders.onLockRefused(lock, op, status),
    rateLimited: () => schedule?.rateLimited(),
  });
  stampQueueAndComposes(server.engine, BUCKET, record);
  try {
    record({
      type: 'run-start',
      config: {
        workers: options.workers,
        cliWorkers,
        locks,
        ttl: options.ttl,
        lossMargin,
        pollMax: POLL_MAX,
        slackMs: options.slackMs ?? 6000,
        durationMs: options.durationMs,
        quota: options.quota,
        faults: [...options.faults],
        counter,
        primitive,
        ...(primitive === 'semaphore' && { permits }),
        generations,
        versioned,
        fair,
        counterToken,
        waitTimeoutMs,
        pollInitial: POLL_INITIAL,
      },
    });
    record({ type: 'server-clock', serverNow: server.engine.now() });
    const ready = new Set<number>();
    let onReady: () => void = () => undefined;

    const onLine = (slot: Slot, line: string): void => {
      let event: WorkerEvent;
      try {
        event = JSON.parse(line) as WorkerEvent;
        if (typeof event.src !== 'string' || typeof event.seq !== 'number') return;
      } catch {
        return; // a notification only: the event files are the record
      }
      seen.set(event.src, Math.max(seen.get(event.src) ?? -1, event.seq));
      if (event.type === 'acquired') slot.acquired++;
      if (event.type === 'cli-start') cliPids.add(event.cliPid);
      if (
        event.type === 'done' &&
        event.src ===
          (slot.role === 'lib' ? workerSource(slot.worker, slot.incarnation) : cliSource(slot.worker))
      )
        slot.done = true;
      if (event.type === 'worker-error') log(`worker ${event.worker} (${event.src}): ${event.message}`);
      if (event.type === 'ready' && event.worker === slot.worker) {
        ready.add(slot.worker);
        onReady();
      }
      schedule?.holders.onWorkerEvent(event);
      schedule?.stops.onWorkerEvent(event);
    };

    const spawnWorker = (slot: Slot): void => {
      const config: WorkerConfig = {
        worker: slot.worker,
        incarnation: slot.incarnation,
        endpoint: server.url,
        bucket: BUCKET,
        locks,
        ttl: options.ttl,
        // Half the library workers refresh every ttl/2 instead of ttl/4: a longer gap between
        // refreshes is what a foreign patch can stretch a holder's belief across.
        ...(slot.worker % 2 === 1 && { refreshInterval: Math.floor(options.ttl / 2) }),
        pollInitial: POLL_INITIAL,
        pollMax: POLL_MAX,
        fair,
        waitTimeout: waitTimeoutMs,
        counterToken,
        counter,
        primitive,
        ...(primitive === 'semaphore' && { permits }),
        dir: options.dir,
        quota: options.quota === null ? null : Math.max(0, options.quota - slot.acquired),
        ...(endMono === undefined ? {} : { endMono }),
        ...(slot.role === 'cli' && { cli, step: bundle.step }),
      };
      const script = slot.role === 'lib' ? bundle.worker : bundle.cliWorker;
      const child = spawn(process.execPath, [script, JSON.stringify(config)], {
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      slot.child = child;
      const source =
        slot.role === 'lib' ? workerSource(slot.worker, slot.incarnation) : cliSource(slot.worker);
      record({
        type: 'spawn',
        worker: slot.worker,
        pid: child.pid ?? -1,
        incarnation: slot.incarnation,
        role: slot.role,
        source,
      });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-2000);
      });
      child.stdin?.on('error', () => undefined); // a killed worker's stdin may be gone
      createInterface({ input: child.stdout }).on('line', (line) => onLine(slot, line));
      slot.exited = new Promise((resolve) => {
        child.once('exit', (code, signal) => {
          paused.delete(child);
          record({ type: 'exit', worker: slot.worker, pid: child.pid ?? -1, code, signal });
          if (code !== 0 && signal !== 'SIGKILL') log(`worker ${slot.worker} exited ${code}: ${stderr}`);
          if (signal === 'SIGKILL' && !slot.done && !stopping) {
            slot.incarnation++;
            spawnWorker(slot);
            resolve(slot.exited);
          } else resolve();
        });
      });
    };
    for (let worker = 0; worker < options.workers; worker++) {
      const role = worker >= options.workers - cliWorkers ? 'cli' : 'lib';
      const slot: Slot = {
        worker,
        role,
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
      `${options.workers} workers (${cliWorkers} running gcs-lock: ${cli.slice(1).join(' ')}) on ${locks.length} locks for ` +
        `${options.durationMs / 1000} s, counter ${counter}, faults: ${options.faults.join(',') || 'none'}` +
        `; ${fair ? 'fair' : 'unfair'}, generations ${generations}${versioned ? ', versioned bucket' : ''}` +
        (counterToken === 'fence' ? '' : `; the counter is handed the ${counterToken} (a mutant)`),
    );

    const byPid = (pid: number): ChildProcess | undefined => slots.find((s) => s.child?.pid === pid)?.child;
    /** A child stopped (by us, or by itself): continued after `ms`, or sooner by the function returned. */
    const stopped = (child: ChildProcess, ms: number, holder?: Holder): (() => void) => {
      if (holder) record({ type: 'pause', ...holder, ms });
      paused.add(child);
      const resume = (): void => {
        clearTimeout(timer);
        if (!paused.delete(child)) return;
        child.kill('SIGCONT');
        record({ type: 'resume', worker: holder?.worker ?? -1, pid: child.pid ?? -1 });
      };
      const timer = setTimeout(resume, ms);
      return resume;
    };
    schedule = new FaultSchedule(
      options.faults,
      {
        server,
        bucket: BUCKET,
        ttl: options.ttl,
        lossMargin,
        counter,
        cliWorkers: slots.filter((slot) => slot.role === 'cli').map((slot) => slot.worker),
        record: (kind, detail, about = {}) => record({ type: 'fault', kind, detail, ...about }),
        clockChanged: () => record({ type: 'server-clock', serverNow: server.engine.now() }),
        send: (worker, line) => slots[worker]?.child?.stdin?.write(`${line}\n`),
        kill: (holder: Holder, during) => {
          // A library worker is one of our children; a gcs-lock process is a CLI driver's child.
          const child = byPid(holder.pid);
          record({ type: 'kill', ...holder, during });
          if (child) child.kill('SIGKILL');
          else killLeftover(holder.pid, 'cli/main');
        },
        pause: (holder: Holder, ms) => {
          const child = byPid(holder.pid);
          if (!child || paused.has(child)) return;
          child.kill('SIGSTOP');
          stopped(child, ms, holder);
        },
        stopped: (_worker, pid, ms, holder) => {
          const child = byPid(pid);
          return child && !paused.has(child) ? stopped(child, ms, holder) : () => undefined;
        },
      },
      Math.max(1200, Math.round(options.ttl * 0.75)),
    );
    schedule.start(Math.min(1000, options.durationMs / 10));
    // A quiet tail: no new faults, so holders killed late are taken over and no lock is left held.
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
    const objects = lockObjectsOf(primitive, locks, permits);
    record({
      type: 'final',
      ...snapshot(server.engine, BUCKET, objects),
      ...litter(server.engine, BUCKET),
      delivered: schedule.delivered,
    });
    for (const [source, maxSeq] of [...seen].sort()) record({ type: 'seen', source, maxSeq });
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
    // Commands that outlived their gcs-lock (on code that lets them), and any gcs-lock left running.
    for (const pid of stepPids(options.dir))
      if (killLeftover(pid, 'cli-step')) log(`killed a leftover command, pid ${pid}`);
    for (const pid of cliPids) killLeftover(pid, 'cli/main');
    schedule?.stop();
    file.close();
    bundle.remove();
    await server.close().catch(() => undefined);
  }
  const events = mergeRunFiles(options.dir);
  return { check: check(events), historyPath: join(options.dir, HISTORY_FILE), events };
}
