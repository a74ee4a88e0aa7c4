import type { StoredObject } from '../store/object-store.js';
import { FORMAT_VERSION, META } from './lock-object.js';

/**
 * A semaphore's header: the object at the semaphore's own name, written once (an insert pinned to
 * generation 0) by the first contender and never changed. It holds the limit, so that every
 * contender counts the same permits: one that brings another limit is refused rather than given
 * slots of its own. Its permits are lock objects of their own beside it (`slotName`).
 */
export const SEMAPHORE_KIND = 'semaphore';

/** The most permits a semaphore may have: every slot is one object, read in one listing page. */
export const MAX_LIMIT = 1000;

/** The header's metadata, for a semaphore of `limit` permits. */
export function headerMetadata(limit: number): Record<string, string> {
  return { [META.version]: FORMAT_VERSION, [META.kind]: SEMAPHORE_KIND, [META.limit]: String(limit) };
}

/** The object name of a semaphore's permit number `slot` (from 0): a lock object of its own. */
export function slotName(semaphore: string, slot: number): string {
  return `${semaphore}.slots/${slot}`;
}

/** The listing prefix under which a semaphore's slots live. */
export function slotPrefix(semaphore: string): string {
  return `${semaphore}.slots/`;
}

/** Which slot an object name is, or `undefined` when it is none of this semaphore's first `limit`. */
export function slotOf(semaphore: string, name: string, limit: number): number | undefined {
  const prefix = slotPrefix(semaphore);
  if (!name.startsWith(prefix)) return undefined;
  const text = name.slice(prefix.length);
  if (!/^(0|[1-9]\d{0,3})$/.test(text)) return undefined;
  const slot = Number(text);
  return slot < limit ? slot : undefined;
}

export type HeaderResult = { ok: true; limit: number } | { ok: false; problem: string };

/** Reads a semaphore's header, or says why the object is not one. */
export function parseSemaphoreHeader(object: StoredObject): HeaderResult {
  const { metadata } = object;
  if (metadata[META.kind] !== SEMAPHORE_KIND) {
    const what =
      metadata[META.version] === undefined
        ? 'it was not written by gcs-lock'
        : metadata[META.kind] === 'ticket'
          ? "it is a fair-mode waiter's ticket"
          : 'it is a lock';
    return { ok: false, problem: `${what}, not a semaphore's header` };
  }
  if (metadata[META.version] !== FORMAT_VERSION) {
    return {
      ok: false,
      problem: `metadata ${META.version} is ${JSON.stringify(metadata[META.version])}, expected "${FORMAT_VERSION}"`,
    };
  }
  const text = metadata[META.limit] ?? '';
  const limit = /^[1-9]\d{0,3}$/.test(text) ? Number(text) : NaN;
  if (!(limit <= MAX_LIMIT)) {
    return {
      ok: false,
      problem: `metadata ${META.limit} is ${JSON.stringify(text)}, expected an integer from 1 to ${MAX_LIMIT}`,
    };
  }
  return { ok: true, limit };
}
