import type { StoredObject } from '../store/object-store.js';
import type { LockInfo } from './lock-info.js';

/**
 * The lock object's format. Everything lives in custom metadata so that a refresh is a metadata
 * patch (which moves `updated`) and a read is a metadata GET; the body repeats the holder for people
 * who download it. Version 1.
 */
export const META = {
  version: 'gcs-lock-version',
  owner: 'gcs-lock-owner',
  ttl: 'gcs-lock-ttl-ms',
  host: 'gcs-lock-host',
  pid: 'gcs-lock-pid',
  description: 'gcs-lock-description',
  refresh: 'gcs-lock-refresh',
} as const;

export const PROTOCOL_VERSION = '1';

/** What the holder writes about itself. */
export interface Holder {
  ownerToken: string;
  ttl: number;
  host: string;
  pid: number;
  description: string | undefined;
}

export function lockMetadata(holder: Holder): Record<string, string> {
  const metadata: Record<string, string> = {
    [META.version]: PROTOCOL_VERSION,
    [META.owner]: holder.ownerToken,
    [META.ttl]: String(holder.ttl),
    [META.host]: holder.host,
    [META.pid]: String(holder.pid),
    [META.refresh]: '0',
  };
  if (holder.description !== undefined) metadata[META.description] = holder.description;
  return metadata;
}

export function lockBody(holder: Holder): string {
  const { host, pid, description, ttl } = holder;
  return `${JSON.stringify({ lock: 'gcs-lock', version: 1, host, pid, description, ttl })}\n`;
}

/** A lock object as read: its public info, plus the owner token that only the lock compares. */
export interface ParsedLock {
  info: LockInfo;
  ownerToken: string;
  generation: string;
  metageneration: string;
  /** The refresh counter, so a refresh can write the next value and so move `updated`. */
  refreshCount: number;
}

export type ParseResult = { ok: true; lock: ParsedLock } | { ok: false; problem: string };

const POSITIVE_INTEGER = /^[1-9]\d{0,14}$/;

/**
 * Reads a lock object, or says what is wrong with it. Expiry is judged on the server's clock:
 * `serverTime` (the response's `Date`) against `updated`, plus the holder's own ttl. Without a
 * server time, the lock is judged unexpired; the waiter's local-clock fallback handles that case.
 */
export function parseLockObject(
  url: string,
  object: StoredObject,
  serverTime: number | undefined,
): ParseResult {
  const metadata = object.metadata;
  if (metadata[META.version] === undefined)
    return { ok: false, problem: `metadata ${META.version} is missing` };
  if (metadata[META.version] !== PROTOCOL_VERSION) {
    return {
      ok: false,
      problem: `metadata ${META.version} is ${JSON.stringify(metadata[META.version])}, expected "1"`,
    };
  }
  const ownerToken = metadata[META.owner];
  if (!ownerToken) return { ok: false, problem: `metadata ${META.owner} is missing` };
  const ttlText = metadata[META.ttl] ?? '';
  if (!POSITIVE_INTEGER.test(ttlText)) {
    return {
      ok: false,
      problem: `metadata ${META.ttl} is ${JSON.stringify(ttlText)}, expected a positive integer`,
    };
  }
  const ttl = Number(ttlText);
  const pidText = metadata[META.pid];
  const pid = pidText !== undefined && /^\d+$/.test(pidText) ? Number(pidText) : undefined;
  const refreshCount = Number(metadata[META.refresh] ?? '0');
  const expiresAt = object.updated + ttl;
  const expiresInMs = serverTime === undefined ? ttl : expiresAt - serverTime;
  return {
    ok: true,
    lock: {
      ownerToken,
      generation: object.generation,
      metageneration: object.metageneration,
      refreshCount: Number.isSafeInteger(refreshCount) ? refreshCount : 0,
      info: {
        url,
        token: object.generation,
        host: metadata[META.host],
        pid,
        description: metadata[META.description],
        ttl,
        acquiredAt: new Date(object.timeCreated),
        refreshedAt: new Date(object.updated),
        expiresAt: new Date(expiresAt),
        expiresInMs,
        expired: expiresInMs < 0,
      },
    },
  };
}
