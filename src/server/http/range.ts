import { HttpError } from './errors.js';

/**
 * The byte range a media download asks for with `Range: bytes=...`, or `undefined` for the whole
 * object: no header, a header this server does not serve in part (several ranges, another unit), or
 * an empty object (nothing to take part of). `bytes=A-B`, `bytes=A-` and `bytes=-N` (the last N) are
 * served; a range that starts past the end is 416, as GCS answers.
 */
export function requestedRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | undefined {
  if (header === undefined || size === 0) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '') {
    const length = Math.min(Number(last), size);
    if (length === 0) throw unsatisfiable(header, size);
    return { start: size - length, end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) throw unsatisfiable(header, size);
  return { start, end };
}

const unsatisfiable = (header: string, size: number): HttpError =>
  new HttpError(
    416,
    `The requested range ${JSON.stringify(header)} cannot be satisfied: the object has ${size} bytes.`,
    'requestedRangeNotSatisfiable',
  );
