import { RUNNING_SIGNALS, type SignalHandler } from './commands/run-holding.js';

/** Signals `run` and `elect` always handle: they stop a wait, reach the command, or cut a release short. */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * One listener per signal for a whole `run` or `elect`; each phase (waiting, running the command,
 * releasing) decides what a signal means by `route`-ing it. Installed once, so a signal that arrives
 * between two phases is never missed nor handled twice.
 */
export class SignalRouter {
  #handler: SignalHandler = () => {};
  readonly #listener = (signal: NodeJS.Signals): void => {
    this.#seen?.(signal);
    this.#handler(signal);
  };
  readonly #seen: SignalHandler | undefined;

  /** `seen` hears every signal first, whichever phase then handles it. */
  constructor(seen?: SignalHandler) {
    this.#seen = seen;
    for (const signal of STOP_SIGNALS) process.on(signal, this.#listener);
  }

  /** Who handles the next signals. */
  readonly route = (next: SignalHandler): void => {
    this.#handler = next;
  };

  /** Runs `body` with the command's signals (QUIT, USR1, ...) routed too, as while a command runs. */
  async running<T>(body: () => Promise<T>): Promise<T> {
    for (const signal of RUNNING_SIGNALS) process.on(signal, this.#listener);
    try {
      return await body();
    } finally {
      for (const signal of RUNNING_SIGNALS) process.off(signal, this.#listener);
    }
  }

  /** Stops listening. */
  close(): void {
    for (const signal of STOP_SIGNALS) process.off(signal, this.#listener);
  }
}
