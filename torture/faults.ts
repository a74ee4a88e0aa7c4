import { EngineError } from '../src/server/engine/engine-error.js';
import type { StorageEngine } from '../src/server/engine/engine.js';
import { GCS_RATE_LIMIT } from '../src/server/engine/rate-limiter.js';
import type { FaultRule } from '../src/server/fault-plan.js';
import type { RunningServer } from '../src/server/start-server.js';
import type { WorkerEvent } from './history.js';

/** Every fault the harness can inject, in the order the schedule cycles through them. */
export const TORTURE_FAULTS = [
  'latency',
  'kill',
  '503',
  'pause',
  'reset',
  '429',
  'commit-then-drop',
  'rate-limit',
  'clock',
] as const;
export type TortureFault = (typeof TORTURE_FAULTS)[number];

/** `all`, `none`, or a comma list of fault names. */
export function parseFaults(spec: string): TortureFault[] {
  if (spec === 'all') return [...TORTURE_FAULTS];
  if (spec === 'none' || spec === '') return [];
  const names = spec.split(',').map((name) => name.trim());
  for (const name of names) {
    if (!(TORTURE_FAULTS as readonly string[]).includes(name)) {
      throw new Error(
        `unknown fault ${JSON.stringify(name)}; known: all, none, ${TORTURE_FAULTS.join(', ')}`,
      );
    }
  }
  return TORTURE_FAULTS.filter((kind) => names.includes(kind));
}

/** A worker holding a lease, as the orchestrator knows it from the worker's events. */
export interface Holder {
  worker: number;
  pid: number;
  lock: string;
  token: string;
}

/** What the schedule needs from the orchestrator. */
export interface FaultHost {
  server: RunningServer;
  ttl: number;
  lossMargin: number;
  record(kind: string, detail: string): void;
  kill(holder: Holder, during: string): void;
  pause(holder: Holder, ms: number): void;
  counterObject(lock: string): string;
}

/** The server clock runs this far ahead of the workers from the start: no client may trust its own. */
export const INITIAL_CLOCK_OFFSET_MS = 3_600_000;

type Pending = { kind: 'kill' | 'pause'; during: 'cs' | 'write' };

/**
 * The fault schedule: every `slotMs` the next enabled fault in `TORTURE_FAULTS` order is started, so
 * that each kind fires at least once per cycle however short the run. Server faults are count-bounded
 * bursts on the lock objects (which waiters poll constantly, so a burst is always spent). Kills and
 * pauses wait for a holder to enter its critical section or send its counter write, and alternate
 * between the two moments.
 */
export class FaultSchedule {
  readonly delivered: Record<string, number> = {};
  readonly #kinds: TortureFault[];
  readonly #host: FaultHost;
  readonly #slotMs: number;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #bursts = new Map<string, { label: string; count: number }>();
  readonly #pending: Pending[] = [];
  #tick = 0;
  #clockSteps = 0;
  #variant = { kill: 0, pause: 0 };
  /** A pause armed on a holder's counter write: the write is delayed at the server, then it stops. */
  #armed: { worker: number; ruleId: string } | undefined;
  #stopped = false;

  constructor(kinds: readonly TortureFault[], host: FaultHost, slotMs: number) {
    this.#kinds = [...kinds];
    this.#host = host;
    this.#slotMs = slotMs;
    for (const kind of TORTURE_FAULTS) this.delivered[kind] = 0;
    if (kinds.includes('clock')) this.delivered['clock'] = 1; // the initial offset
    if (kinds.includes('rate-limit'))
      countRateLimited(host.server.engine, () => this.delivered['rate-limit']!++);
  }

  start(firstAfterMs: number): void {
    if (this.#kinds.length > 0) this.#after(firstAfterMs, () => this.#next());
  }

  #after(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#stopped) run();
    }, ms);
    this.#timers.add(timer);
  }

  #next(): void {
    const kind = this.#kinds[this.#tick++ % this.#kinds.length]!;
    this.#startFault(kind);
    this.#after(this.#slotMs, () => this.#next());
  }

  #startFault(kind: TortureFault): void {
    const { ttl } = this.#host;
    const locks = { objectPrefix: 'locks/' } as const;
    switch (kind) {
      case 'latency':
        // Slow requests for a while, and one refresh slower than the time left on its lease.
        this.#burst('latency', {
          kind: 'latency',
          ...locks,
          rate: 0.5,
          latencyMs: ttl / 10,
          jitterMs: ttl / 4,
        });
        this.#burst('latency', { kind: 'latency', ...locks, ops: ['patch'], count: 1, latencyMs: ttl * 0.7 });
        return;
      case '503':
      case '429':
        this.#burst(kind, { kind: 'error', ...locks, status: Number(kind), count: 8 });
        return;
      case 'reset':
        this.#burst(kind, { kind: 'reset', ...locks, count: 4 });
        return;
      case 'commit-then-drop':
        this.#burst(kind, {
          kind: 'commit-then-drop',
          ...locks,
          ops: ['insert', 'patch', 'delete'],
          count: 3,
        });
        return;
      case 'rate-limit':
        this.#host.server.setRateLimit(GCS_RATE_LIMIT);
        this.#host.record('rate-limit', 'on');
        // Three slots: long enough for waiters and holders to spend GCS's burst of five and be refused.
        this.#after(this.#slotMs * 3, () => {
          this.#host.server.setRateLimit(false);
          this.#host.record('rate-limit', 'off');
        });
        return;
      case 'clock': {
        // Steps forward stay well under the loss margin: a server clock that jumps ahead by more
        // than that would expire a lease early, which no lease-based lock survives (GCS's clock is
        // the authority). Steps back only delay expiry.
        const step = Math.min(300, Math.floor(this.#host.lossMargin / 2));
        const offset = INITIAL_CLOCK_OFFSET_MS + (this.#clockSteps++ % 2 === 0 ? -step : 0);
        this.#host.server.setClockOffset(offset);
        this.delivered['clock']!++;
        this.#host.record('clock', `offset ${offset} ms`);
        return;
      }
      case 'kill':
      case 'pause':
        this.#pending.push({ kind, during: this.#variant[kind]++ % 2 === 0 ? 'cs' : 'write' });
        return;
    }
  }

  /** Adds a server fault rule for one slot; what it delivered is counted when it is taken off. */
  #burst(label: string, rule: FaultRule): void {
    const id = this.#host.server.faults.add(rule);
    this.#bursts.set(id, { label, count: rule.count ?? 0 });
    this.#host.record(label, JSON.stringify(rule));
    this.#after(this.#slotMs, () => this.#settle(id));
  }

  #settle(id: string): void {
    const burst = this.#bursts.get(id);
    if (!burst) return;
    this.#bursts.delete(id);
    const rule = this.#host.server.faults.rules().find((r) => r.id === id);
    this.#host.server.faults.remove(id);
    // Latency is counted by the server's own tally; count-bounded bursts by what they spent.
    if (burst.label !== 'latency') this.delivered[burst.label]! += burst.count - (rule?.remaining ?? 0);
  }

  /** Called with every worker event: kills and pauses strike at the moments they wait for. */
  onEvent(event: WorkerEvent): void {
    if (this.#stopped) return;
    const front = this.#pending[0];
    if (event.type === 'cs-enter') {
      const holder = { worker: event.worker, pid: event.pid, lock: event.lock, token: event.token };
      if (front?.during === 'cs') {
        this.#pending.shift();
        this.#deliver(front.kind, holder, 'critical section');
      } else if (front?.kind === 'pause' && this.#armed === undefined) {
        // Delay this holder's counter write past its successor's, then pause it while it waits:
        // the write lands late, and the counter must refuse it.
        const ruleId = this.#host.server.faults.add({
          kind: 'latency',
          object: this.#host.counterObject(event.lock),
          ops: ['insert'],
          count: 1,
          latencyMs: Math.round(this.#host.ttl * 2.5),
        });
        this.#armed = { worker: event.worker, ruleId };
      }
    } else if (event.type === 'write-sent') {
      const holder = { worker: event.worker, pid: event.pid, lock: event.lock, token: event.token };
      if (front?.kind === 'pause' && front.during === 'write' && this.#armed?.worker === event.worker) {
        this.#pending.shift();
        this.#armed = undefined;
        this.#deliver('pause', holder, 'counter write');
      } else if (front?.kind === 'kill' && front.during === 'write') {
        this.#pending.shift();
        this.#deliver('kill', holder, 'counter write');
      }
    } else if (event.type === 'release-start' && this.#armed?.worker === event.worker) {
      this.#host.server.faults.remove(this.#armed.ruleId);
      this.#armed = undefined;
    }
  }

  #deliver(kind: 'kill' | 'pause', holder: Holder, during: string): void {
    this.delivered[kind]!++;
    if (kind === 'kill') this.#host.kill(holder, during);
    else this.#host.pause(holder, Math.round(this.#host.ttl * 1.5));
  }

  /** Ends the schedule: no new faults, every rule off. Idempotent. */
  stop(): void {
    if (this.#stopped) return;
    for (const id of [...this.#bursts.keys()]) this.#settle(id);
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#pending.length = 0;
    this.#armed = undefined;
    this.#host.server.faults.clear();
    this.#host.server.setRateLimit(false);
    this.delivered['latency'] = this.#host.server.faults.delivered.latency;
  }
}

/**
 * The per-object limit refuses inside the engine, not through the fault plan, so its 429s are counted
 * where they are thrown: by wrapping the engine's three mutations.
 */
function countRateLimited(engine: StorageEngine, onRefused: () => void): void {
  const target = engine as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of ['insertObject', 'patchObject', 'deleteObject']) {
    const original = target[name]!.bind(engine);
    target[name] = (...args: unknown[]) => {
      try {
        return original(...args);
      } catch (error) {
        if (error instanceof EngineError && error.status === 429) onRefused();
        throw error;
      }
    };
  }
}
