import { join } from 'node:path';
import { EventFile, monoNow, type WorkerEvent } from './history.js';

/** What a worker process writes: a `WorkerEvent` without the stamps its log adds. */
export type Fields<E = WorkerEvent> = E extends WorkerEvent
  ? Omit<E, 't' | 'mono' | 'src' | 'seq' | 'worker' | 'pid'>
  : never;

/**
 * A worker process's record of what it did. The event file is the record (synchronous appends: a
 * SIGKILL loses nothing); the same line then goes to stdout as a notification for the fault schedule,
 * which may lag or lose it without harm (the orchestrator reports the highest seq it saw, and the
 * checker flags a file that ends before it).
 */
export class ProcessLog {
  readonly #file: EventFile;
  readonly #worker: number;

  constructor(dir: string, source: string, worker: number) {
    this.#file = new EventFile(join(dir, `${source}.jsonl`), source);
    this.#worker = worker;
    // A reader that went away (the pipe's other end died) must not take this process with it.
    process.stdout.on('error', () => undefined);
  }

  get source(): string {
    return this.#file.source;
  }

  emit(fields: Fields, mono = monoNow()): void {
    const event = this.#file.append({ worker: this.#worker, pid: process.pid, ...fields }, mono);
    process.stdout.write(`${JSON.stringify(event)}\n`);
  }
}
