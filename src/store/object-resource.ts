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

/**
 * The server's clock from the `Date` header (whole seconds, so never ahead of the server's clock),
 * or `undefined` when absent or unparseable.
 *
 * @example
 * ```ts
 * serverTimeOf(new Headers({ date: 'Tue, 02 Jan 2024 03:04:05 GMT' })); // 1704164645000
 * ```
 */
export function serverTimeOf(headers: Headers): number | undefined {
  const date = headers.get('date');
  if (date === null) return undefined;
  const ms = Date.parse(date);
  return Number.isFinite(ms) ? ms : undefined;
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
  content: string,
): { contentType: string; body: string } {
  let boundary = `gcs-lock-${randomBytes(16).toString('hex')}`;
  // 128 random bits practically never collide, but the check costs nothing and makes it certain.
  while (content.includes(boundary)) boundary = `gcs-lock-${randomBytes(16).toString('hex')}`;
  const body =
    `--${boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n` +
    `${JSON.stringify(resource)}\r\n` +
    `--${boundary}\r\nContent-Type: ${contentType}\r\n\r\n` +
    `${content}\r\n--${boundary}--\r\n`;
  return { contentType: `multipart/related; boundary=${boundary}`, body };
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
