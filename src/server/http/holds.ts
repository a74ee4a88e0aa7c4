import type { Socket } from 'node:net';

/**
 * Timers that hold requests (fault latency, stalls), tracked so that closing the server ends them at
 * once instead of leaving a test waiting for a 30-second stall to run out.
 */
export class Holds {
  readonly #active = new Set<() => void>();
  #closed = false;

  /**
   * Waits `ms`. Resolves `true` when the time is up, `false` early when the client's socket closes
   * (it gave up) or the server is closing: the caller must then not answer.
   */
  wait(ms: number, socket: Socket): Promise<boolean> {
    if (this.#closed || socket.destroyed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (elapsed: boolean): void => {
        clearTimeout(timer);
        socket.off('close', onClose);
        this.#active.delete(onClose);
        resolve(elapsed);
      };
      const onClose = (): void => finish(false);
      const timer = setTimeout(() => finish(true), ms);
      socket.once('close', onClose);
      this.#active.add(onClose);
    });
  }

  /** Ends every hold now (each resolves `false`); later holds end at once. */
  close(): void {
    this.#closed = true;
    for (const release of [...this.#active]) release();
  }
}
