import { parseSemaphoreHeader } from '../../core/semaphore-header.js';
import type { PermitInfo } from '../../semaphore/options.js';
import { Semaphore } from '../../semaphore/semaphore.js';
import type { ObjectStore } from '../../store/object-store.js';
import { printable, printableLines } from '../../util/printable.js';
import { ExitCode } from '../exit-codes.js';
import { formatDuration, formatHolder, formatTable } from '../format.js';

/** A semaphore's state for `status`: full (an acquirer would wait), a permit free, or stale ones. */
export type SemaphoreState = 'full' | 'free' | 'stale';

const STATE_EXIT: Record<SemaphoreState, number> = {
  full: ExitCode.OK,
  free: ExitCode.CONFLICT,
  stale: ExitCode.STALE,
};

/**
 * `gcs-lock status` of a semaphore: reads its header (one GET) and its permits (a GET each, or one
 * LIST above 12), and prints who holds which. Exit status as for a lock: 0 when every permit is held
 * (an acquirer would wait), 1 when one is free, 2 when none is free but some are stale (the next
 * acquirer takes one over). `undefined` when the object is not a semaphore's header.
 */
export async function semaphoreStatus(
  url: string,
  target: { bucket: string; object: string },
  store: ObjectStore,
  json: boolean,
): Promise<number | undefined> {
  const { object } = await store.get(target.bucket, target.object);
  const header = object === null ? undefined : parseSemaphoreHeader(object);
  if (!header?.ok) return undefined;
  const permits = await new Semaphore({ ...target, store, limit: header.limit }).inspect();
  const held = permits.filter((permit) => permit.holder !== null && !permit.holder.expired).length;
  const stale = permits.filter((permit) => permit.holder?.expired === true).length;
  const state: SemaphoreState =
    held === header.limit ? 'full' : held + stale === header.limit ? 'stale' : 'free';
  if (json) {
    const semaphore = { limit: header.limit, held, stale };
    const entries = permits.map((permit) => ({
      slot: permit.slot,
      url: permit.url,
      state: permitState(permit),
      lock: permit.holder,
    }));
    process.stdout.write(
      `${JSON.stringify({ url, name: target.object, state, semaphore, permits: entries })}\n`,
    );
  } else {
    process.stdout.write(`${printableLines(formatSemaphore(url, header.limit, held, permits))}\n`);
  }
  return STATE_EXIT[state];
}

/** `held`, `stale` (its lease expired) or `free`. */
export function permitState(permit: PermitInfo): 'held' | 'stale' | 'free' {
  if (permit.holder === null) return 'free';
  return permit.holder.expired ? 'stale' : 'held';
}

/** A headline (`2 of 3 permits held`), then one row per permit. */
export function formatSemaphore(url: string, limit: number, held: number, permits: PermitInfo[]): string {
  const rows = permits.map((permit) => {
    const state = permitState(permit);
    const { holder } = permit;
    if (state === 'free' || holder === null) return [String(permit.slot), 'free', '-', '-', '-'];
    const expiry =
      holder.expiresInMs > 0
        ? formatDuration(holder.expiresInMs)
        : `expired ${formatDuration(-holder.expiresInMs)} ago`;
    return [
      String(permit.slot),
      state === 'stale' ? 'STALE' : 'held',
      holder.token,
      expiry,
      formatHolder(holder),
    ];
  });
  const table = formatTable(['PERMIT', 'STATE', 'TOKEN', 'EXPIRES IN', 'HOLDER'], rows);
  const headline = `${printable(url)}: semaphore, ${held} of ${limit} permit${limit === 1 ? '' : 's'} held`;
  return `${headline}\n${table
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')}`;
}
