import { GCS_RATE_LIMIT } from '../src/server/engine/rate-limiter.js';
import type { FaultRule } from '../src/server/fault-plan.js';
import { HOLDER_FAULTS, HolderFaults, type FaultHost, type HolderFault } from './holder-faults.js';
import { STOP_FAULTS, StopFaults, type StopFault } from './stop-faults.js';

export type { FaultHost, Holder } from './holder-faults.js';

/** Faults on the server as a whole: every client meets them. */
export const SERVER_FAULTS = [
  'latency',
  '503',
  'reset',
  '429',
  'commit-then-drop',
  'rate-limit',
  'clock',
] as const;
type ServerFault = (typeof SERVER_FAULTS)[number];

/** Every fault the harness can inject. The schedule starts one of each list per slot. */
export const TORTURE_FAULTS = [...SERVER_FAULTS, ...HOLDER_FAULTS, ...STOP_FAULTS] as const;
export type TortureFault = (typeof TORTURE_FAULTS)[number];

/** Faults that need CLI drivers (`gcs-lock run` workers). */
export const CLI_FAULTS: readonly TortureFault[] = ['cli-kill', 'cli-loss'];

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

/** The server clock runs this far ahead of the workers from the start: no client may trust its own. */
export const INITIAL_CLOCK_OFFSET_MS = 3_600_000;

/**
 * The fault schedule: every `slotMs` the next enabled server fault starts, and the next enabled holder
 * fault is queued, so that each kind fires at least once per cycle however short the run. Server
 * faults are count-bounded bursts on the lock objects (which waiters poll constantly, so a burst is
 * always spent). Holder faults wait for the moment they strike (holder-faults.ts).
 */
export class FaultSchedule {
  readonly delivered: Record<string, number> = {};
  readonly holders: HolderFaults;
  /** Faults where a worker stops itself (stop-faults.ts): zombie writers, paused waiters. */
  readonly stops: StopFaults;
  readonly #server: ServerFault[];
  readonly #holder: Array<HolderFault | StopFault>;
  readonly #host: FaultHost;
  readonly #slotMs: number;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #bursts = new Map<string, { label: string; count: number }>();
  #tick = 0;
  #clockSteps = 0;
  #stopped = false;

  constructor(kinds: readonly TortureFault[], host: FaultHost, slotMs: number) {
    this.#server = SERVER_FAULTS.filter((kind) => kinds.includes(kind));
    this.#holder = [...HOLDER_FAULTS, ...STOP_FAULTS].filter((kind) => kinds.includes(kind));
    this.#host = host;
    this.#slotMs = slotMs;
    for (const kind of kinds) this.delivered[kind] = 0;
    if (kinds.includes('clock')) this.delivered['clock'] = 1; // the initial offset
    this.holders = new HolderFaults(host, this.delivered);
    this.stops = new StopFaults(host, this.delivered);
  }

  /** Called by the stamps for every mutation the per-object rate limit refused. */
  rateLimited(): void {
    if (!this.#stopped && this.delivered['rate-limit'] !== undefined) this.delivered['rate-limit']++;
  }

  start(firstDelayMs: number): void {
    this.#after(firstDelayMs, () => this.#next());
  }

  #after(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#stopped) run();
    }, ms);
    this.#timers.add(timer);
  }

  #next(): void {
    const tick = this.#tick++;
    if (this.#server.length > 0) this.#startServerFault(this.#server[tick % this.#server.length]!);
    const holder = this.#holder[tick % Math.max(1, this.#holder.length)];
    if (holder !== undefined) {
      if ((STOP_FAULTS as readonly string[]).includes(holder)) this.stops.enqueue(holder as StopFault);
      else this.holders.enqueue(holder as HolderFault);
    }
    this.#after(this.#slotMs, () => this.#next());
  }

  #startServerFault(kind: ServerFault): void {
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
        // Three slots, or up to six until a request is refused: long enough for waiters and holders
        // to spend GCS's burst of five.
        this.#rateLimitOff(this.delivered['rate-limit']!, 3);
        return;
      case 'clock': {
        // Steps forward stay well under the loss margin: a server clock that jumps ahead by more
        // than that would expire a lease early, which no lease-based lock survives (GCS's clock is
        // the authority). Steps back only delay expiry. `gcs-lock run` spends up to half the margin
        // on its kill grace, so what a step may take is the other half less the lateness of timers
        // on a loaded machine: a quarter. (A step of half the margin left a command that ignored
        // SIGTERM 0 ms of slack, and the 10-minute run caught its SIGKILL 11 ms late.)
        const step = Math.min(300, Math.floor(this.#host.lossMargin / 4));
        const offset = INITIAL_CLOCK_OFFSET_MS + (this.#clockSteps++ % 2 === 0 ? -step : 0);
        this.#host.server.setClockOffset(offset);
        this.#host.clockChanged();
        this.delivered['clock']!++;
        this.#host.record('clock', `offset ${offset} ms`);
        return;
      }
    }
  }

  /**
   * Lifts the rate limit after `slots` slots; but while it has refused nothing (light traffic), a
   * stricter limit (no burst) stays one slot more, up to six in all.
   */
  #rateLimitOff(before: number, slots: number, spent = 0): void {
    this.#after(this.#slotMs * slots, () => {
      if (this.delivered['rate-limit'] === before && spent + slots < 6) {
        this.#host.server.setRateLimit({ perSecond: 1, burst: 1 });
        return this.#rateLimitOff(before, 1, spent + slots);
      }
      this.#host.server.setRateLimit(false);
      this.#host.record('rate-limit', 'off');
    });
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

  /** Ends the schedule: no new faults, every rule off. Idempotent. */
  stop(): void {
    if (this.#stopped) return;
    for (const id of [...this.#bursts.keys()]) this.#settle(id);
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.holders.stop();
    this.stops.stop();
    this.#host.server.faults.clear();
    this.#host.server.setRateLimit(false);
    if (this.delivered['latency'] !== undefined)
      this.delivered['latency'] = this.#host.server.faults.delivered.latency;
  }
}
