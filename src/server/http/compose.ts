import type { ComposeSource, StorageEngine } from '../engine/engine.js';
import { objectFields, parseJsonObject } from './body.js';
import { HttpError } from './errors.js';
import { jsonReply, type Reply } from './reply.js';
import { objectResource } from './resources.js';

/**
 * `POST /storage/v1/b/B/o/DEST/compose` with
 * `{sourceObjects: [{name, generation?, objectPreconditions: {ifGenerationMatch}}], destination: {...}}`.
 * The destination's `ifGenerationMatch` / `ifMetagenerationMatch` come in the query, as for an insert.
 */
export function composeObject(
  engine: StorageEngine,
  bucket: string,
  destination: string,
  r: { query: URLSearchParams; body: Buffer; baseUrl: string },
): Reply {
  const json = parseJsonObject(r.body);
  const rawSources = json.sourceObjects;
  if (!Array.isArray(rawSources)) throw new HttpError(400, 'Required field: sourceObjects', 'required');
  const sources = rawSources.map(parseSource);
  const { destination: target } = json;
  if (target !== undefined && target !== null && (typeof target !== 'object' || Array.isArray(target))) {
    throw new HttpError(400, 'Invalid destination: an object resource.');
  }
  const fields = objectFields((target ?? {}) as Record<string, unknown>);
  const preconditions: Record<string, string> = {};
  for (const name of ['ifGenerationMatch', 'ifMetagenerationMatch'] as const) {
    const value = r.query.get(name);
    if (value !== null) preconditions[name] = value;
  }
  const object = engine.composeObject(
    bucket,
    destination,
    sources,
    {
      ...(fields.contentType === undefined ? {} : { contentType: fields.contentType }),
      ...(fields.metadata === undefined ? {} : { metadata: fields.metadata }),
    },
    preconditions,
  );
  return jsonReply(objectResource(object, r.baseUrl));
}

/** One `sourceObjects[]` entry; int64 fields may come as JSON numbers or decimal strings. */
function parseSource(raw: unknown, index: number): ComposeSource {
  if (typeof raw !== 'object' || raw === null) {
    throw new HttpError(400, `Invalid sourceObjects[${index}]: an object with a name.`);
  }
  const { name, generation, objectPreconditions } = raw as Record<string, unknown>;
  const source: ComposeSource = { name: name as string };
  if (generation !== undefined && generation !== null) source.generation = int64(generation, index);
  const pinned = (objectPreconditions as { ifGenerationMatch?: unknown } | null | undefined)
    ?.ifGenerationMatch;
  if (pinned !== undefined && pinned !== null) source.ifGenerationMatch = int64(pinned, index);
  return source;
}

function int64(value: unknown, index: number): string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string') return value;
  throw new HttpError(400, `Invalid generation in sourceObjects[${index}]: ${JSON.stringify(value)}.`);
}
