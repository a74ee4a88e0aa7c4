/**
 * Passes the signals gcs-lock receives on to the command's process group, each exactly once.
 *
 * The command runs in a session of its own, so a terminal's Ctrl-C, or a kill of gcs-lock, reaches
 * gcs-lock alone: it must forward. But a signal sent to a whole control group (systemd's stop with
 * KillMode=control-group) or to a whole process tree reaches the command directly as well, and a
 * second copy makes programs like terraform, docker compose and npm force-quit and skip their
 * clean-up. Nothing in a signal says who sent it, so the watchdog acts as a witness: it sits where
 * the command sits, and reports each signal it gets. A signal that gcs-lock and the witness both got
 * within `windowMs` of each other was sent to everyone, the command included: it is not forwarded.
 * Otherwise it is forwarded `windowMs` after it arrived (the time the witness has to report).
 */
/**
 * How long a signal waits for the witness before it is forwarded. The witness is a shell woken by the
 * same signal; it reports within milliseconds, but a busy machine may take a while to schedule it,
 * and a copy too many costs more than a quarter second of delay on a Ctrl-C.
 */
export const WITNESS_WINDOW_MS = 250;

export interface SignalRelayOptions {
  /** Sends the signal to the command's process group. */
  deliver: (signal: NodeJS.Signals) => void;
  /** Called instead of `deliver` for a signal the command got directly. */
  skip?: (signal: NodeJS.Signals) => void;
  /** How long a received signal waits for the witness, and how long a witness report stays valid. */
  windowMs: number;
  /** @default performance.now */
  now?: () => number;
}

export class SignalRelay {
  readonly #options: SignalRelayOptions;
  readonly #now: () => number;
  /** Signals gcs-lock got, not yet forwarded: one timer per arrival (two Ctrl-Cs are two signals). */
  readonly #pending = new Map<NodeJS.Signals, NodeJS.Timeout[]>();
  /** When the witness reported each signal that gcs-lock has not (yet) received. */
  readonly #witnessed = new Map<NodeJS.Signals, number[]>();

  constructor(options: SignalRelayOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
  }

  /** gcs-lock received `signal`. */
  received(signal: NodeJS.Signals): void {
    if (this.#takeWitness(signal)) {
      this.#options.skip?.(signal);
      return;
    }
    if (this.#options.windowMs <= 0) {
      this.#options.deliver(signal);
      return;
    }
    const timers = this.#pending.get(signal) ?? [];
    const timer = setTimeout(() => {
      timers.splice(timers.indexOf(timer), 1);
      this.#options.deliver(signal);
    }, this.#options.windowMs);
    timers.push(timer);
    this.#pending.set(signal, timers);
  }

  /** The witness reported `signal`: whoever sent it sent it to the command too. */
  witnessed(signal: NodeJS.Signals): void {
    const timer = this.#pending.get(signal)?.shift();
    if (timer !== undefined) {
      clearTimeout(timer);
      this.#options.skip?.(signal);
      return;
    }
    const times = this.#witnessed.get(signal) ?? [];
    times.push(this.#now());
    this.#witnessed.set(signal, times);
  }

  /** Drops every pending forward (the command is gone). */
  dispose(): void {
    for (const timers of this.#pending.values()) timers.forEach(clearTimeout);
    this.#pending.clear();
    this.#witnessed.clear();
  }

  #takeWitness(signal: NodeJS.Signals): boolean {
    const times = this.#witnessed.get(signal);
    if (!times) return false;
    const recent = times.filter((time) => this.#now() - time <= this.#options.windowMs);
    const taken = recent.shift() !== undefined;
    this.#witnessed.set(signal, recent);
    return taken;
  }
}
