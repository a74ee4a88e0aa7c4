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
  const names = [...objects.keys()]
    .filter((name) => name.startsWith(prefix))
    .filter((name) => options.startOffset === undefined || name >= options.startOffset)
    .filter((name) => options.endOffset === undefined || name < options.endOffset)
    .sort(compareNames);

  const items: EngineObject[] = [];
  const prefixes = new Set<string>();
  let nextPageToken: string | undefined;
  for (const name of names) {
    if (after !== undefined && compareNames(name, after) <= 0) continue;
    const entry = collapse(name, prefix, options.delimiter);
    if (entry.prefix !== undefined && prefixes.has(entry.prefix)) continue;
    if (items.length + prefixes.size >= maxResults) {
      nextPageToken = encodePageToken(lastEntry(items, prefixes));
      break;
    }
    if (entry.prefix !== undefined) prefixes.add(entry.prefix);
    else items.push(objects.get(name)!);
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

function lastEntry(items: EngineObject[], prefixes: Set<string>): string {
  const candidates = [...prefixes, ...(items.length > 0 ? [items[items.length - 1]!.name] : [])];
  // A collapsed prefix stands for every name under it: resume after all of them.
  return candidates
    .map((entry) => (prefixes.has(entry) ? `${entry}\u{10ffff}` : entry))
    .sort(compareNames)
    .at(-1)!;
}

function encodePageToken(after: string): string {
  return Buffer.from(after, 'utf8').toString('base64url');
}

function decodePageToken(token: string): string {
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  if (token.length === 0 || encodePageToken(decoded) !== token) throw invalid('Invalid pageToken.');
  return decoded;
}
