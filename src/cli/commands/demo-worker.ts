import { setTimeout as sleep } from 'node:timers/promises';
import { Lock } from '../../lock/lock.js';
import { expectPositionals, parseCommandLine, parseDuration } from '../args.js';
import { preciseNow, type WorkerMessage } from '../demo/messages.js';
import { ExitCode } from '../exit-codes.js';
import { cliStore } from '../store.js';

/**
 * One contender in `gcs-lock demo` (internal; started by the demo with an IPC channel): acquires the
 * lock `rounds` times, holding it for `hold` each time, and reports every step. With `--crash` it
 * kills itself with SIGKILL during its first critical section (when the demo says so), as a crashed
 * machine would:
 * no release, no goodbye; its lease stays behind until the ttl runs out.
 */
export async function demoWorkerCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine('demo-worker', args, {
    endpoint: { type: 'string' },
    name: { type: 'string' },
    ttl: { type: 'string' },
    hold: { type: 'string' },
    rounds: { type: 'string' },
    crash: { type: 'boolean' },
  });
  const [url] = expectPositionals('demo-worker', positionals, ['gs://BUCKET/OBJECT']) as [string];
  const send = (message: WorkerMessage): Promise<void> =>
    new Promise((resolve) => {
      if (!process.send) resolve();
      else process.send(message, undefined, {}, () => resolve());
    });
  const name = values.name ?? `pid ${process.pid}`;
  const hold = parseDuration('--hold', values.hold ?? '1s');
  const rounds = Number(values.rounds ?? '2');

  let lastHolderToken: string | undefined;
  // What the lock's events said about each lease we got: whether it was a takeover, and of whom.
  const tookOverFrom = new Map<string, string | undefined>();
  const lock = new Lock(url, {
    store: cliStore(values.endpoint),
    ttl: parseDuration('--ttl', values.ttl ?? '3s'),
    description: name,
    // Poll briskly so the demo moves; a real waiter's default backoff goes up to 2 s.
    poll: { initial: 100, max: 500 },
    onEvent: (event) => {
      if (event.type === 'contended' && event.holder.token !== lastHolderToken) {
        lastHolderToken = event.holder.token;
        void send({ type: 'waiting', holder: event.holder.description, token: event.holder.token });
      } else if (event.type === 'took-over') {
        tookOverFrom.set(event.token, event.previous.token);
      } else if (event.type === 'acquired' && event.tookOver && !tookOverFrom.has(event.token)) {
        tookOverFrom.set(event.token, undefined);
      }
    },
  });

  for (let round = 0; round < rounds; round++) {
    const lease = await lock.acquire();
    const start = preciseNow();
    const tookOver = tookOverFrom.has(lease.token);
    const previousToken = tookOverFrom.get(lease.token);
    await send({ type: 'acquired', token: lease.token, start, tookOver, previousToken });
    if (values.crash) {
      // Crash once the demo says everyone is waiting (or after a while, should that never come).
      await crashSignal(hold * 5);
      await send({ type: 'crashing', token: lease.token });
      process.kill(process.pid, 'SIGKILL');
    }
    try {
      await sleep(hold, undefined, { signal: lease.signal });
    } catch {
      const reason = lease.signal.reason instanceof Error ? lease.signal.reason.message : 'lost';
      await send({ type: 'lost', token: lease.token, start, end: preciseNow(), reason });
      return ExitCode.LOST;
    }
    // The interval ends before the release starts: from here on we no longer touch the resource.
    const end = preciseNow();
    await send({ type: 'released', token: lease.token, start, end });
    await lease.release();
    lastHolderToken = undefined;
    // Other work between critical sections: without it, the releasing worker, awake while the
    // others sleep between polls, would often win again at once.
    if (round < rounds - 1) await sleep(hold / 2);
  }
  await send({ type: 'done' });
  process.disconnect?.();
  return ExitCode.OK;
}

/** Resolves when the demo sends `crash`, or after `fallbackMs`. */
function crashSignal(fallbackMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, fallbackMs);
    process.on('message', (message) => {
      if (message === 'crash') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}
