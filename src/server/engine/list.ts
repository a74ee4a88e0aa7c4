import type { EngineObject } from './types.js';
import { invalid } from './engine-error.js';

export interface ListOptions {
  prefix?: string;
  delimiter?: string;
  pageToken?: string;
  maxResults?: number;
  startOffset?: string;
  endOffset?: string;
  /** List noncurrent versions too, each name's versions in order of generation. @default false */
  versions?: boolean;
}

export interface ListResult {
  items: EngineObject[];
  prefixes: string[];
  nextPageToken: string | undefined;
}

const MAX_LIST_RESULTS = 1000;

/** A place in a listing: a name, and with versions a generation within it. */
interface Position {
  name: string;
  generation?: bigint;
}

/**
 * One page of a listing, as GCS pages it: names in UTF-8 byte order, names under a `delimiter`
 * collapsed into `prefixes`, and a page token that resumes after the last entry returned. With
 * `versions`, every version of a name is an entry (noncurrent ones from `noncurrent`), and a page may
 * end between two versions of one name: the token then names the generation too.
 */
export function listObjects(
  objects: ReadonlyMap<string, EngineObject>,
  options: ListOptions = {},
  noncurrent: ReadonlyMap<string, readonly EngineObject[]> = new Map(),
): ListResult {
  const prefix = options.prefix ?? '';
  const maxResults = Math.min(options.maxResults ?? MAX_LIST_RESULTS, MAX_LIST_RESULTS);
  if (!Number.isInteger(maxResults) || maxResults < 1) throw invalid('Invalid value for maxResults.');
  const after = options.pageToken === undefined ? undefined : decodePageToken(options.pageToken);
  // Names under one collapsed prefix are contiguous in byte order; a page that ended inside such a
  // run must not list the prefix again on the next page.
  const afterPrefix =
    after === undefined ? undefined : collapse(after.name, prefix, options.delimiter).prefix;
  const { startOffset, endOffset } = options;
  const names = new Set(objects.keys());
  if (options.versions) for (const name of noncurrent.keys()) names.add(name);
  const sorted = [...names]
    .filter((name) => name.startsWith(prefix))
    .filter((name) => startOffset === undefined || compareNames(name, startOffset) >= 0)
    .filter((name) => endOffset === undefined || compareNames(name, endOffset) < 0)
    .sort(compareNames);

  const items: EngineObject[] = [];
  const prefixes = new Set<string>();
  let nextPageToken: string | undefined;
  let lastConsumed: Position | undefined;
  for (const name of sorted) {
    if (afterPrefix !== undefined && name.startsWith(afterPrefix)) continue;
    const live = objects.get(name);
    const versions = options.versions
      ? [...(noncurrent.get(name) ?? []), ...(live ? [live] : [])].sort(byGeneration)
      : live
        ? [live]
        : [];
    for (const object of versions) {
      const position: Position = options.versions ? { name, generation: object.generation } : { name };
      if (after !== undefined && comparePositions(position, after) <= 0) continue;
      const entry = collapse(name, prefix, options.delimiter);
      if (entry.prefix === undefined || !prefixes.has(entry.prefix)) {
        if (items.length + prefixes.size >= maxResults) {
          nextPageToken = encodePageToken(lastConsumed!);
          break;
        }
        if (entry.prefix !== undefined) prefixes.add(entry.prefix);
        else items.push(object);
      }
      lastConsumed = position;
    }
    if (nextPageToken !== undefined) break;
  }
  return { items, prefixes: [...prefixes], nextPageToken };
}

/** GCS lists in lexicographic order of the UTF-8 bytes of names. */
function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

const byGeneration = (a: EngineObject, b: EngineObject): number =>
  a.generation < b.generation ? -1 : a.generation > b.generation ? 1 : 0;

/** A position without a generation stands after every version of its name. */
function comparePositions(a: Position, b: Position): number {
  const byName = compareNames(a.name, b.name);
  if (byName !== 0 || b.generation === undefined) return byName;
  if (a.generation === undefined) return 1;
  return a.generation < b.generation ? -1 : a.generation > b.generation ? 1 : 0;
}

function collapse(name: string, prefix: string, delimiter: string | undefined): { prefix?: string } {
  if (!delimiter) return {};
  const at = name.indexOf(delimiter, prefix.length);
  return at === -1 ? {} : { prefix: name.slice(0, at + delimiter.length) };
}

/** base64url of the name; with a generation, `.` and the generation (`.` is not in base64url). */
function encodePageToken(after: Position): string {
  const name = Buffer.from(after.name, 'utf8').toString('base64url');
  return after.generation === undefined ? name : `${name}.${after.generation}`;
}

function decodePageToken(token: string): Position {
  const [encoded = '', generation] = token.split('.', 2);
  const name = Buffer.from(encoded, 'base64url').toString('utf8');
  const position: Position =
    generation !== undefined && /^\d{1,20}$/.test(generation)
      ? { name, generation: BigInt(generation) }
      : { name };
  if (encoded.length === 0 || encodePageToken(position) !== token) throw invalid('Invalid pageToken.');
  return position;
}
