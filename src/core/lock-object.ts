/**
 * The lock object's format, version 2. Everything lives in custom metadata, so that a refresh and a
 * release are metadata patches (which move `updated`) and a read is a metadata GET. The body is empty:
 * zero bytes let `compose` use the lock object as a precondition source that adds nothing to the
 * written object (fenced writes, docs/protocol.md).
 *
 * A lock object is never deleted by gcs-lock: release marks it `released`, so the next grant can be
 * an insert pinned to its generation that carries the fence one higher. That chain is what makes the
 * fencing token grow by contract rather than by the accident of GCS's generation numbers.
 */
export const META = {
  version: 'gcs-lock-version',
  /**
   * `ticket` for a fair-mode waiter's place in the queue, `semaphore` for a semaphore's header;
   * absent for a lock.
   */
  kind: 'gcs-lock-kind',
  state: 'gcs-lock-state',
  fence: 'gcs-lock-fence',
  owner: 'gcs-lock-owner',
  ttl: 'gcs-lock-ttl-ms',
  refreshInterval: 'gcs-lock-refresh-ms',
  refresh: 'gcs-lock-refresh',
  host: 'gcs-lock-host',
  pid: 'gcs-lock-pid',
  description: 'gcs-lock-description',
  queued: 'gcs-lock-queued',
  candidate: 'gcs-lock-candidate',
  /** A semaphore's header: how many permits it has. */
  limit: 'gcs-lock-limit',
} as const;

/** The format gcs-lock 0.2 writes. 0.1's objects (version 1) are read, and taken over when expired. */
export const FORMAT_VERSION = '2';

/** What a holder writes about itself with each grant. */
export interface Holder {
  ownerToken: string;
  ttl: number;
  refreshInterval: number;
  host: string;
  pid: number;
  description: string | undefined;
  /** An election's candidate name. */
  candidate?: string | undefined;
  /** `ticket` for a fair-mode waiter's place in the queue. */
  kind?: 'ticket' | undefined;
}

/** The metadata of a grant: a held lease with a fresh owner token, refresh counter 0. */
export function grantMetadata(holder: Holder, fence: bigint, queued: boolean): Record<string, string> {
  const metadata: Record<string, string> = {
    [META.version]: FORMAT_VERSION,
    [META.state]: 'held',
    [META.fence]: fence.toString(),
    [META.owner]: holder.ownerToken,
    [META.ttl]: String(holder.ttl),
    [META.refreshInterval]: String(holder.refreshInterval),
    [META.refresh]: '0',
    [META.host]: holder.host,
    [META.pid]: String(holder.pid),
  };
  if (holder.description !== undefined) metadata[META.description] = holder.description;
  if (holder.candidate !== undefined) metadata[META.candidate] = holder.candidate;
  if (holder.kind !== undefined) metadata[META.kind] = holder.kind;
  if (queued) metadata[META.queued] = '1';
  return metadata;
}

/**
 * The first fence of a chain, for a lock object that does not exist: the server's clock in
 * microseconds. A chain's fence grows by one per grant, far slower than a microsecond clock, so a
 * chain started after someone deleted the lock object still starts above the deleted chain's fences,
 * and above 0.1's tokens (which were generations: microsecond timestamps in practice). That part rests
 * on the server's clock; the chain itself rests only on preconditions.
 */
export function firstFence(serverTimeMs: number | undefined): bigint {
  const ms = Math.floor(serverTimeMs ?? Date.now());
  return ms > 0 ? BigInt(ms) * 1000n : 1n;
}
