import type {
  CounterToken,
  HistoryEvent,
  LockRecord,
  RunConfig,
  WorkerEvent,
} from '../../torture/history.js';

/**
 * Hand-written histories for the checker's tests: events in any order, with `seq` numbers given per
 * file in time order at `build()`. Times are mono ms; ttl 2000 and loss margin 400, so a holder's
 * deadline sits 1600 ms after its last refresh, and anyone may take over 2000 ms after it.
 */
export const TTL = 2000;

export const CONFIG: RunConfig = {
  workers: 2,
  cliWorkers: 0,
  locks: ['L'],
  ttl: TTL,
  lossMargin: 400,
  pollMax: 1000,
  slackMs: 1000,
  durationMs: 20_000,
  quota: null,
  faults: [],
  counter: 'fenced',
};

type Fields<E> = E extends WorkerEvent ? Omit<E, 't' | 'mono' | 'src' | 'seq' | 'worker' | 'pid'> : never;
type Loose = Record<string, unknown>;

/** A grant's generation (default `9<token>`) and the holder's pid on its record (fair mode ties it to a ticket). */
export interface GrantOptions {
  generation?: string;
  pid?: number;
}

/** What a round hands the counter as its token: the fence (right) or the grant's generation (the mutant). */
export interface RoundOptions extends GrantOptions {
  hand?: CounterToken;
}

/** How GCS answered a fenced write's compose, and what the writer pinned it to. */
export interface ComposeOptions {
  /** Accepted, or refused with this status. */
  status?: 412 | 429;
  /** The generation the lock source was pinned to (default: the writer's grant's). */
  pinned?: string;
  /** The lock object's live generation (default: the pinned one; null: no lock object). */
  live?: string | null;
  zombie?: boolean;
}

const record = (token: string, state: string, refresh: number, description: string): LockRecord => ({
  version: '2',
  state,
  fence: token,
  owner: `owner${token}`,
  refresh: String(refresh),
  ttl: TTL,
  description,
});

export class History {
  readonly events: Array<Omit<HistoryEvent, 'seq'> & { seq?: number }> = [];
  readonly #config: RunConfig;
  /** The server clock runs this far ahead of mono (any constant will do). */
  readonly #offset = 1_000_000;
  readonly #refreshes = new Map<string, number>();
  /** Per token: its generation, and record fields beyond the builder's (pid, queued). */
  readonly #generations = new Map<string, string>();
  readonly #extra = new Map<string, Partial<LockRecord>>();
  /** Per ticket: its `timeCreated` (server clock), kept by its refreshes and delete. */
  readonly #tickets = new Map<string, number>();

  constructor(config: Partial<RunConfig> = {}) {
    this.#config = { ...CONFIG, ...config };
  }

  /** An event of the process writing file `src` (w0.0: worker 0; s1.77: a command of CLI worker 1). */
  w(src: string, mono: number, fields: Fields<WorkerEvent>): this {
    const worker = Number(/^\w(\d+)/.exec(src)?.[1]);
    this.events.push({ t: mono, mono, src, worker, pid: pidOf(src), ...fields } as HistoryEvent);
    return this;
  }

  /** An orchestrator event. */
  o(mono: number, fields: Loose): this {
    this.events.push({ t: mono, mono, src: 'o', ...fields } as unknown as HistoryEvent);
    return this;
  }

  #lock(
    mono: number,
    op: 'insert' | 'patch' | 'delete',
    token: string,
    changed: string[],
    state: string,
    description: string,
  ): this {
    const refresh = this.#refreshes.get(token) ?? 0;
    return this.o(mono, {
      type: 'server-lock',
      lock: 'L',
      op,
      generation: this.generationOf(token),
      metageneration: '1',
      updated: mono + this.#offset,
      serverNow: mono + this.#offset,
      record: { ...record(token, state, refresh, description), ...this.#extra.get(token) },
      changed,
    });
  }

  /** The generation of token `token`'s grant. */
  generationOf(token: string): string {
    return this.#generations.get(token) ?? `9${token}`;
  }

  /** The server grants token `token` (an insert of a held record). */
  grant(mono: number, token: string, description = 'torture worker', options: GrantOptions = {}): this {
    this.#refreshes.set(token, 0);
    if (options.generation !== undefined) this.#generations.set(token, options.generation);
    this.#extra.set(token, options.pid === undefined ? {} : { pid: String(options.pid) });
    return this.#lock(
      mono,
      'insert',
      token,
      ['gcs-lock-fence', 'gcs-lock-owner', 'gcs-lock-state'],
      'held',
      description,
    );
  }

  /** The holder's refresh commits (its counter moves). */
  refresh(mono: number, token: string): this {
    this.#refreshes.set(token, (this.#refreshes.get(token) ?? 0) + 1);
    return this.#lock(mono, 'patch', token, ['gcs-lock-refresh'], 'held', 'torture worker');
  }

  /** Someone else patches the record (a label): the counter does not move. */
  foreign(mono: number, token: string): this {
    return this.#lock(mono, 'patch', token, ['torture-label'], 'held', 'torture worker');
  }

  /** The holder's release commits (state released). */
  release(mono: number, token: string): this {
    return this.#lock(mono, 'patch', token, ['gcs-lock-state'], 'released', 'torture worker');
  }

  /**
   * A fair-mode waiter flags the held record `gcs-lock-queued`: the token's records built after this
   * call (in call order, like refreshes) carry the flag, its release included.
   */
  queued(mono: number, token: string): this {
    this.#extra.set(token, { ...this.#extra.get(token), queued: '1' });
    return this.#lock(mono, 'patch', token, ['gcs-lock-queued'], 'held', 'torture worker');
  }

  /** A committed change to fair-mode ticket `ticket` of the process `pid` (`refresh`: its counter). */
  ticket(mono: number, op: 'insert' | 'patch' | 'delete', ticket: string, pid: number, refresh = 0): this {
    if (op === 'insert') this.#tickets.set(ticket, mono + this.#offset);
    return this.o(mono, {
      type: 'server-ticket',
      lock: 'L',
      ticket,
      op,
      timeCreated: this.#tickets.get(ticket) ?? mono + this.#offset,
      updated: mono + this.#offset,
      serverNow: mono + this.#offset,
      ttl: TTL,
      pid: String(pid),
      refresh: String(refresh),
    });
  }

  /**
   * The holder of `token` (file `src`) sends fenced write `id` of the lock's report object at `at`;
   * the server's compose answers 5 ms later, the worker records the outcome 10 ms later.
   */
  fencedWrite(src: string, at: number, token: string, id: string, options: ComposeOptions = {}): this {
    const lease = { lock: 'L', token, id };
    const zombie = options.zombie ?? false;
    const pinned = options.pinned ?? this.generationOf(token);
    const live = options.live === undefined ? pinned : options.live;
    const via = zombie ? 'fence' : 'lease';
    this.w(src, at, { type: 'fenced-write-sent', ...lease, generation: pinned, zombie, via });
    this.o(at + 5, {
      type: 'server-compose',
      lock: 'L',
      destination: 'reports/L',
      lockGeneration: pinned,
      outcome: options.status === undefined ? 'accepted' : 'refused',
      ...(options.status !== undefined && { status: options.status }),
      ...(live !== null && { liveGeneration: live }),
      token,
      writer: id,
    });
    if (options.status === undefined)
      return this.w(src, at + 10, { type: 'fenced-write-accepted', ...lease });
    const reason = options.status === 429 ? 'rate-limited' : 'generation changed';
    return this.w(src, at + 10, { type: 'fenced-write-refused', ...lease, reason });
  }

  /** A counter write lands at the server. */
  counter(mono: number, token: string, value: number, writer: string): this {
    return this.o(mono, { type: 'server-counter', lock: 'L', generation: `7${mono}`, value, token, writer });
  }

  /** A library worker records its acquisition of `token` at `mono` (deadline 1600 ms on). */
  acquired(src: string, mono: number, token: string, tookOver = false): this {
    return this.w(src, mono, {
      type: 'acquired',
      lock: 'L',
      token,
      deadline: mono + 1598,
      tookOver,
      waitedMs: 0,
    });
  }

  /**
   * Worker 0 is granted token 10 at 100, records it (deadline 1700), enters at 110, and refreshes at
   * 600 (the deadline it then reports: 2200, unless told otherwise).
   */
  holder(deadlineAfterRefresh = 2200): this {
    return this.grant(100, '10')
      .acquired('w0.0', 102, '10')
      .w('w0.0', 110, { type: 'cs-enter', lock: 'L', token: '10' })
      .refresh(600, '10')
      .w('w0.0', 602, { type: 'refreshed', lock: 'L', token: '10', deadline: deadlineAfterRefresh });
  }

  /**
   * A library worker's whole round: grant, acquired, enter, counter write, leave, release. The
   * counter is handed the fence, or (`hand: 'generation'`) the grant's generation as 0.1 did.
   */
  round(src: string, at: number, token: string, value: number, options: RoundOptions = {}): this {
    const id = `${src}.${token}`;
    this.grant(at, token, 'torture worker', options);
    const handed = options.hand === 'generation' ? this.generationOf(token) : token;
    return this.acquired(src, at + 2, token)
      .w(src, at + 10, { type: 'cs-enter', lock: 'L', token })
      .w(src, at + 20, { type: 'write-sent', lock: 'L', token, id, value })
      .counter(at + 25, handed, value, id)
      .w(src, at + 30, { type: 'write-accepted', lock: 'L', token, id, value, generation: `7${at + 25}` })
      .w(src, at + 40, { type: 'cs-leave', lock: 'L', token, aborted: false })
      .w(src, at + 50, { type: 'release-start', lock: 'L', token })
      .release(at + 55, token)
      .w(src, at + 60, { type: 'released', lock: 'L', token, result: true });
  }

  /** The run around the body: start, spawn and ready of every file's worker, done, final, seen, end. */
  build(
    options: { counter?: number; locks?: Loose[]; delivered?: Record<string, number> } = {},
  ): HistoryEvent[] {
    const config = this.#config;
    const frame = new History(config);
    const sources = [...new Set(this.events.map((event) => event.src).filter((src) => src !== 'o'))];
    const workers = sources.filter((src) => /^[wc]/.test(src));
    const values = this.events.filter((event) => event.type === 'server-counter') as unknown as Array<{
      value: number;
    }>;
    frame.o(0, { type: 'run-start', config });
    frame.o(0.1, { type: 'server-clock', serverNow: this.#offset });
    for (const src of workers) {
      const role = src.startsWith('w') ? 'lib' : 'cli';
      frame.o(0.2, {
        type: 'spawn',
        worker: workerOf(src),
        pid: pidOf(src),
        incarnation: 0,
        role,
        source: src,
      });
      frame.w(src, 0.5, { type: 'ready', incarnation: 0, role });
    }
    for (let worker = 0; worker < config.workers; worker++) {
      frame.w(workers.find((s) => workerOf(s) === worker) ?? `w${worker}.0`, 19_000, {
        type: 'done',
        iterations: 1,
      });
    }
    const counters = { L: options.counter ?? values.at(-1)?.value ?? 0 };
    frame.o(19_500, {
      type: 'final',
      counters,
      locks: options.locks ?? [],
      liveTickets: [],
      delivered: options.delivered ?? {},
    });
    frame.o(19_600, { type: 'run-end' });
    const sorted = [...frame.events, ...this.events].sort((a, b) => a.mono - b.mono);
    const next = new Map<string, number>();
    return sorted.map((event) => {
      const seq = next.get(event.src) ?? 0;
      next.set(event.src, seq + 1);
      return { ...event, seq } as HistoryEvent;
    });
  }
}

const workerOf = (src: string): number => Number(/^\w(\d+)/.exec(src)?.[1]);
/** w3.1 → 301; s1.77 → 77 (a command's pid is in its file name). */
export const pidOf = (src: string): number => {
  const [, kind, a, b] = /^(\w)(\d+)\.?(\d*)$/.exec(src) ?? [];
  return kind === 's' ? Number(b) : 100 * Number(a) + Number(b || 0) + 1000;
};
