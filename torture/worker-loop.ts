import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { monoNow } from './history.js';
import type { ProcessLog } from './process-log.js';

export interface WorkerLoop {
  log: ProcessLog;
  role: 'lib' | 'cli';
  incarnation: number;
  /** When to stop (shared monotonic clock); absent: wait for "go <endMono>" on stdin. */
  endMono?: number | undefined;
  /** Rounds still to do; null to run until the end time. */
  quota: number | null;
  /** One round; resolves whether it counted (the lock was acquired). */
  round: (end: number) => Promise<boolean>;
  /** A rest between rounds. */
  restMs: number;
  /** Any other line on stdin, split into words: the orchestrator's commands. */
  onCommand?: (words: string[]) => void;
}

/**
 * A worker process's life: ready, then (on "go <endMono>") rounds until the end time or the quota,
 * resting up to `restMs` between them, then done, and exit. Lines on stdin after "go" are commands.
 */
export function runWorkerLoop(loop: WorkerLoop): void {
  const emit = loop.log.emit.bind(loop.log);
  const main = async (): Promise<void> => {
    emit({ type: 'ready', incarnation: loop.incarnation, role: loop.role });
    const end = await new Promise<number>((resolve) => {
      if (loop.endMono !== undefined) resolve(loop.endMono);
      const lines = createInterface({ input: process.stdin });
      lines.on('line', (line) => {
        const words = line.split(' ');
        if (words[0] === 'go' && words[1] !== undefined) resolve(Number(words[1]));
        else loop.onCommand?.(words);
      });
      lines.on('close', () => resolve(monoNow())); // stdin closed without a go: do nothing
    });
    let done = 0;
    while ((loop.quota === null || done < loop.quota) && end - monoNow() > 200) {
      if (await loop.round(end)) done++;
      await sleep(Math.random() * loop.restMs);
    }
    emit({ type: 'done', iterations: done });
  };
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      emit({ type: 'worker-error', message: String(error) });
      process.exit(1);
    },
  );
}
