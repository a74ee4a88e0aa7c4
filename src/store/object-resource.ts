import { randomBytes } from 'node:crypto';
import type { ComposeRequest, ComposeSource, StoredObject } from './object-store.js';

/**
 * The fields the lock reads. Asking for only these (`fields=`) keeps every response a few hundred
 * bytes instead of the full resource with ACLs, hashes and links.
 */
export const OBJECT_FIELDS = 'bucket,name,generation,metageneration,timeCreated,updated,metadata';
export const LIST_FIELDS = `items(${OBJECT_FIELDS}),nextPageToken`;

/**
 * Reads a GCS object resource into a `StoredObject`: generations stay decimal strings (they exceed
 * 2^53; GCS sends them as strings, some servers as numbers, which are accepted when still exact),
 * RFC 3339 times become ms since the epoch. Returns `undefined` when a field the lock depends on is
 * missing or malformed, so the caller can report an unusable response instead of guessing.
 *
 * @example
 * ```ts
 * parseObject({ bucket: 'b', name: 'o', generation: '1700000000000001', metageneration: '1',
 *   timeCreated: '2024-01-01T00:00:00.000Z', updated: '2024-01-01T00:00:00.000Z' });
 * ```
 */
export function parseObject(value: unknown): StoredObject | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const resource = value as Record<string, unknown>;
  const generation = decimal(resource['generation']);
  const metageneration = decimal(resource['metageneration']);
  const timeCreated = time(resource['timeCreated']);
  const updated = time(resource['updated']);
  const { bucket, name } = resource;
  if (typeof bucket !== 'string' || typeof name !== 'string') return undefined;
  if (generation === undefined || metageneration === undefined) return undefined;
  if (timeCreated === undefined || updated === undefined) return undefined;
  const metadata: Record<string, string> = {};
  const raw = resource['metadata'];
  if (typeof raw === 'object' && raw !== null) {
    for (const [key, entry] of Object.entries(raw)) {
      if (typeof entry === 'string') metadata[key] = entry;
    }
  }
  return { bucket, name, generation, metageneration, timeCreated, updated, metadata };
}

function decimal(value: unknown): string | undefined {
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return undefined;
}

function time(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** IMF-fixdate, the one format HTTP servers send (RFC 9110 §5.6.7): `Tue, 02 Jan 2024 03:04:05 GMT`. */
const IMF_FIXDATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The server's clock from the `Date` header (whole seconds, so never ahead of the server's clock),
 * or `undefined` when absent or not an HTTP date. Strict on purpose: `Date.parse` reads a zone-less
 * date as local time and accepts many other shapes, and a misread server clock would move every
 * expiry judgement; without a usable `Date`, the waiter's own clock judges expiry instead.
 *
 * @example
 * ```ts
 * serverTimeOf(new Headers({ date: 'Tue, 02 Jan 2024 03:04:05 GMT' })); // 1704164645000
 * serverTimeOf(new Headers({ date: 'Tue, 02 Jan 2024 03:04:05' })); // undefined
 * ```
 */
export function serverTimeOf(headers: Headers): number | undefined {
  const match = IMF_FIXDATE.exec(headers.get('date') ?? '');
  if (!match) return undefined;
  const [, day, month, year, hour, minute, second] = match;
  const ms = Date.UTC(
    Number(year),
    MONTHS.indexOf(month!),
    Number(day),
    Number(hour),
    Number(minute),
    Number(second),
  );
  // Reject impossible dates (31 Feb) that Date.UTC would roll over.
  return new Date(ms).getUTCDate() === Number(day) ? ms : undefined;
}

/**
 * A `multipart/related` upload body: the JSON resource, then the content. One request creates the
 * object with its metadata, where a `media` upload would need a second request to set metadata.
 *
 * @example
 * ```ts
 * const { contentType, body } = multipartBody({ name: 'o', metadata: {} }, 'text/plain', 'hi');
 * ```
 */
export function multipartBody(
  resource: { name: string; contentType?: string; metadata: Readonly<Record<string, string>> },
  contentType: string,
  content: string | Uint8Array,
): { contentType: string; body: string | Uint8Array } {
  const bytes =
    typeof content === 'string'
      ? undefined
      : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  const includes = (boundary: string): boolean =>
    bytes ? bytes.includes(boundary) : (content as string).includes(boundary);
  let boundary = `gcs-lock-${randomBytes(16).toString('hex')}`;
  // 128 random bits practically never collide, but the check costs nothing and makes it certain.
  while (includes(boundary)) boundary = `gcs-lock-${randomBytes(16).toString('hex')}`;
  const head =
    `--${boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n` +
    `${JSON.stringify(resource)}\r\n` +
    `--${boundary}\r\nContent-Type: ${contentType}\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const contentTypeHeader = `multipart/related; boundary=${boundary}`;
  if (!bytes) return { contentType: contentTypeHeader, body: `${head}${content as string}${tail}` };
  return {
    contentType: contentTypeHeader,
    body: Buffer.concat([Buffer.from(head), bytes, Buffer.from(tail)]),
  };
}

/**
 * The JSON body of `objects.compose`: each source with its `objectPreconditions`, and the destination
 * resource (content type and custom metadata).
 *
 * @example
 * ```ts
 * composeBody([{ name: 'fence', ifGenerationMatch: '7' }], { contentType: 'text/plain' });
 * ```
 */
export function composeBody(sources: readonly ComposeSource[], request: ComposeRequest): string {
  return JSON.stringify({
    sourceObjects: sources.map(({ name, ifGenerationMatch }) =>
      ifGenerationMatch === undefined ? { name } : { name, objectPreconditions: { ifGenerationMatch } },
    ),
    destination: {
      ...(request.contentType === undefined ? {} : { contentType: request.contentType }),
      ...(request.metadata === undefined ? {} : { metadata: request.metadata }),
    },
  });
}
