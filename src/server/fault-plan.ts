/**
 * Faults on demand, for the local server and `MemoryStore` alike: which requests go wrong, and how.
 * A plan holds rules; for each request, `decide` picks what happens to it. The server turns a
 * decision into HTTP behaviour (a delay, an error body, a reset socket, a request that never
 * answers); `MemoryStore` into the same outcomes as thrown errors.
 */

/**
 * The storage operations a rule can match.
 *
 * @example
 * ```ts
 * store.faults.add({ kind: 'error', status: 503, ops: ['patch'] satisfies Operation[], count: 3 });
 * ```
 */
export type Operation = 'insert' | 'get' | 'patch' | 'delete' | 'list' | 'bucket';

export const OPERATIONS: readonly Operation[] = ['insert', 'get', 'patch', 'delete', 'list', 'bucket'];

/**
 * - `latency`: the request is delayed by `latencyMs` plus up to `jitterMs`, then served normally;
 * - `error`: answered with `status` (429, 500, 503...) and GCS's error body, nothing changed;
 * - `reset`: the connection is dropped before anything is changed;
 * - `stall`: no answer for `stallMs` (or until the client gives up), then the connection is dropped;
 * - `commit-then-drop`: the change is applied, then the connection is dropped: the response is lost.
 *
 * @example
 * ```ts
 * const kind: FaultKind = 'commit-then-drop'; // the write happens, its response is lost
 * store.faults.add({ kind, ops: ['insert'], count: 1 });
 * ```
 */
export type FaultKind = 'latency' | 'error' | 'reset' | 'stall' | 'commit-then-drop';

/**
 * Every `FaultKind`, in a fixed order: for validation and for iterating over `FaultPlan.delivered`.
 *
 * @example
 * ```ts
 * for (const kind of FAULT_KINDS) console.log(kind, store.faults.delivered[kind]);
 * ```
 */
export const FAULT_KINDS: readonly FaultKind[] = ['latency', 'error', 'reset', 'stall', 'commit-then-drop'];

/**
 * One fault rule: which requests it matches (operations, object name, rate, count) and what it does to them.
 *
 * @example
 * ```ts
 * const rule: FaultRule = { kind: 'latency', latencyMs: 200, jitterMs: 50, ops: ['get'], rate: 0.5 };
 * const id = store.faults.add(rule);
 * store.faults.remove(id);
 * ```
 */
export interface FaultRule {
  kind: FaultKind;
  /** Which operations it applies to. @default every operation */
  ops?: readonly Operation[];
  /** Only requests for this object name (exact), or whose name starts with `objectPrefix`. */
  object?: string;
  objectPrefix?: string;
  /** The chance that a matching request is hit, 0 to 1. @default 1 */
  rate?: number;
  /** Hit only the next `count` matching requests, then the rule retires. @default unlimited */
  count?: number;
  /**
   * Let the first `skip` matching requests through untouched before the rule starts to hit: "the
   * holder's next refresh reaches the server, every later one fails". @default 0
   */
  skip?: number;
  /** For `error`: the HTTP status. @default 503 */
  status?: number;
  /** For `latency`: the fixed delay. @default 0 */
  latencyMs?: number;
  /** For `latency`: a random extra delay up to this. @default 0 */
  jitterMs?: number;
  /** For `stall`: how long before the connection is dropped. @default 30000 */
  stallMs?: number;
}

export interface FaultRequest {
  op: Operation;
  bucket?: string | undefined;
  object?: string | undefined;
}

/**
 * What happens to one request: first a delay, then an outcome.
 *
 * @example
 * ```ts
 * const decision: FaultDecision = new FaultPlan().decide({ op: 'get', object: 'locks/job' });
 * // { delayMs: 0, outcome: 'ok' } when no rule matches
 * ```
 */
export interface FaultDecision {
  delayMs: number;
  outcome: 'ok' | 'error' | 'reset' | 'stall' | 'commit-then-drop';
  status?: number;
  stallMs?: number;
}

interface ActiveRule extends FaultRule {
  id: string;
  remaining: number;
  toSkip: number;
}

/**
 * Counts of faults actually delivered, by kind: evidence that a fault was exercised.
 *
 * @example
 * ```ts
 * await lock.run(async () => {}).catch(() => {});
 * expect(store.faults.delivered.reset).toBe(1); // the injected reset really happened
 * ```
 */
export type FaultCounts = Record<FaultKind, number>;

/**
 * Faults on demand for `MemoryStore` and the local server: rules that decide, request by request, whether to delay, fail, reset, stall, or apply a change and then drop its response.
 *
 * @example
 * ```ts
 * const faults = new FaultPlan();
 * faults.add({ kind: 'error', status: 429, ops: ['insert'], count: 2 }); // the next two inserts answer 429
 * await using server = await startServer({ buckets: ['test'], faults });
 * ```
 */
export class FaultPlan {
  readonly #rules: ActiveRule[] = [];
  readonly #random: () => number;
  #nextId = 1;
  /** How many times each kind of fault has been delivered. */
  readonly delivered: FaultCounts = { latency: 0, error: 0, reset: 0, stall: 0, 'commit-then-drop': 0 };

  constructor(options: { random?: () => number } = {}) {
    this.#random = options.random ?? Math.random;
  }

  /** Adds a rule; returns its id, for `remove`. */
  add(rule: FaultRule): string {
    validateRule(rule);
    const id = `f${this.#nextId++}`;
    this.#rules.push({
      ...rule,
      id,
      remaining: rule.count ?? Number.POSITIVE_INFINITY,
      toSkip: rule.skip ?? 0,
    });
    return id;
  }

  remove(id: string): boolean {
    const at = this.#rules.findIndex((rule) => rule.id === id);
    if (at === -1) return false;
    this.#rules.splice(at, 1);
    return true;
  }

  clear(): void {
    this.#rules.length = 0;
  }

  /** The active rules, with how many hits each has left. */
  rules(): Array<FaultRule & { id: string; remaining: number | null }> {
    return this.#rules.map(({ toSkip: _toSkip, ...rule }) => ({
      ...rule,
      remaining: Number.isFinite(rule.remaining) ? rule.remaining : null,
    }));
  }

  /**
   * Decides the fate of one request. Latency rules add up; the first matching rule of any other kind
   * decides the outcome.
   */
  decide(request: FaultRequest): FaultDecision {
    const decision: FaultDecision = { delayMs: 0, outcome: 'ok' };
    for (const rule of [...this.#rules]) {
      if (!matches(rule, request)) continue;
      if (rule.kind !== 'latency' && decision.outcome !== 'ok') continue;
      if (rule.toSkip > 0) {
        rule.toSkip -= 1;
        continue;
      }
      if ((rule.rate ?? 1) < 1 && this.#random() >= (rule.rate ?? 1)) continue;
      this.#spend(rule);
      this.delivered[rule.kind] += 1;
      if (rule.kind === 'latency') {
        decision.delayMs += (rule.latencyMs ?? 0) + this.#random() * (rule.jitterMs ?? 0);
      } else if (rule.kind === 'error') {
        decision.outcome = 'error';
        decision.status = rule.status ?? 503;
      } else if (rule.kind === 'stall') {
        decision.outcome = 'stall';
        decision.stallMs = rule.stallMs ?? 30_000;
      } else {
        decision.outcome = rule.kind;
      }
    }
    return decision;
  }

  #spend(rule: ActiveRule): void {
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.remove(rule.id);
  }
}

function matches(rule: FaultRule, request: FaultRequest): boolean {
  if (rule.ops && !rule.ops.includes(request.op)) return false;
  if (rule.object !== undefined && request.object !== rule.object) return false;
  if (rule.objectPrefix !== undefined && !(request.object ?? '').startsWith(rule.objectPrefix)) return false;
  return true;
}

function validateRule(rule: FaultRule): void {
  if (!FAULT_KINDS.includes(rule.kind)) {
    throw new TypeError(`fault kind ${JSON.stringify(rule.kind)} is not one of ${FAULT_KINDS.join(', ')}`);
  }
  const numbers: Array<[string, number | undefined, number, number]> = [
    ['rate', rule.rate, 0, 1],
    ['count', rule.count, 1, Number.MAX_SAFE_INTEGER],
    ['skip', rule.skip, 0, Number.MAX_SAFE_INTEGER],
    // An injected error is a failure: a 2xx or 3xx here would be a success that changed nothing.
    ['status', rule.status, 400, 599],
    ['latencyMs', rule.latencyMs, 0, 3_600_000],
    ['jitterMs', rule.jitterMs, 0, 3_600_000],
    ['stallMs', rule.stallMs, 0, 3_600_000],
  ];
  for (const [name, value] of [
    ['count', rule.count],
    ['skip', rule.skip],
  ] as const) {
    if (value !== undefined && !Number.isInteger(value)) {
      throw new TypeError(`fault ${name} must be a whole number, got ${JSON.stringify(value)}`);
    }
  }
  const unknown = (rule.ops ?? []).filter((op) => !OPERATIONS.includes(op));
  if (unknown.length > 0) {
    throw new TypeError(`fault ops ${JSON.stringify(unknown)} are not among ${OPERATIONS.join(', ')}`);
  }
  for (const [name, value, min, max] of numbers) {
    if (value !== undefined && !(typeof value === 'number' && value >= min && value <= max)) {
      throw new TypeError(
        `fault ${name} must be a number from ${min} to ${max}, got ${JSON.stringify(value)}`,
      );
    }
  }
}
