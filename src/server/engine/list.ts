import type { EngineObject } from './engine.js';
import { invalid } from './engine-error.js';

export interface ListOptions {
  prefix?: string;
  delimiter?: string;
  pageToken?: string;
  maxResults?: number;
  startOffset?: string;
  endOffset?: string;
}

export interface ListResult {
  items: EngineObject[];
  prefixes: string[];
  nextPageToken: string | undefined;
}

const MAX_LIST_RESULTS = 1000;

/**
 * One page of a listing, as GCS pages it: names in UTF-8 byte order, names under a `delimiter`
 * collapsed into `prefixes`, and a page token that resumes after the last entry returned.
 */
export function listObjects(
  objects: ReadonlyMap<string, EngineObject>,
  options: ListOptions = {},
): ListResult {
  const prefix = options.prefix ?? '';
  const maxResults = Math.min(options.maxResults ?? MAX_LIST_RESULTS, MAX_LIST_RESULTS);
  if (!Number.isInteger(maxResults) || maxResults < 1) throw invalid('Invalid value for maxResults.');
  const after = options.pageToken === undefined ? undefined : decodePageToken(options.pageToken);
  // Names under one collapsed prefix are contiguous in byte order; a page that ended inside such a
  // run must not list the prefix again on the next page.
  const afterPrefix = after === undefined ? undefined : collapse(after, prefix, options.delimiter).prefix;
  const { startOffset, endOffset } = options;
  const names = [...objects.keys()]
    .filter((name) => name.startsWith(prefix))
    .filter((name) => startOffset === undefined || compareNames(name, startOffset) >= 0)
    .filter((name) => endOffset === undefined || compareNames(name, endOffset) < 0)
    .sort(compareNames);

  const items: EngineObject[] = [];
  const prefixes = new Set<string>();
  let nextPageToken: string | undefined;
  let lastConsumed: string | undefined;
  for (const name of names) {
    if (after !== undefined && compareNames(name, after) <= 0) continue;
    if (afterPrefix !== undefined && name.startsWith(afterPrefix)) continue;
    const entry = collapse(name, prefix, options.delimiter);
    if (entry.prefix === undefined || !prefixes.has(entry.prefix)) {
      if (items.length + prefixes.size >= maxResults) {
        nextPageToken = encodePageToken(lastConsumed!);
        break;
      }
      if (entry.prefix !== undefined) prefixes.add(entry.prefix);
      else items.push(objects.get(name)!);
    }
    lastConsumed = name;
  }
  return { items, prefixes: [...prefixes], nextPageToken };
}

/** GCS lists in lexicographic order of the UTF-8 bytes of names. */
function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function collapse(name: string, prefix: string, delimiter: string | undefined): { prefix?: string } {
  if (!delimiter) return {};
  const at = name.indexOf(delimiter, prefix.length);
  return at === -1 ? {} : { prefix: name.slice(0, at + delimiter.length) };
}

function encodePageToken(after: string): string {
  return Buffer.from(after, 'utf8').toString('base64url');
}

function decodePageToken(token: string): string {
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  if (token.length === 0 || encodePageToken(decoded) !== token) throw invalid('Invalid pageToken.');
  return decoded;
}
