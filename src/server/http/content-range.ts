import { HttpError } from './errors.js';

/** A resumable upload request's `Content-Range`, parsed. */
export interface ParsedRange {
  /** Where this request's bytes start; `undefined` for `bytes *\/T` (a status query, or a finalise). */
  start?: number;
  /** The object's size, when this request declares it. */
  total?: number;
  /** This request ends the upload although no total was declared (`bytes 0-*\/*`: a streamed upload). */
  lastChunk: boolean;
}

/** Offsets and sizes are at most 15 digits: beyond 2^53 they are no byte count any server could hold. */
const CONTENT_RANGE = /^bytes (?:(\d{1,15})-(\d{1,15}|\*)|\*)\/(\d{1,15}|\*)$/;

/**
 * `Content-Range` as resumable uploads use it: `bytes S-E/T` (a chunk; `T` is `*` while the size is
 * unknown), `bytes S-*\/T` (the rest of the object, the official Node client's one-request form),
 * `bytes *\/T` or `bytes *\/*` (no data: how far did the upload get, or finish it). No header means
 * "this body is the whole object".
 */
export function parseContentRange(header: string | undefined, length: number): ParsedRange {
  if (header === undefined) return { start: 0, total: length, lastChunk: true };
  const match = CONTENT_RANGE.exec(header.trim());
  if (!match) {
    throw new HttpError(
      400,
      `Invalid Content-Range ${JSON.stringify(header)}: expected bytes START-END/TOTAL, bytes START-*/TOTAL or bytes */TOTAL (TOTAL may be *).`,
    );
  }
  const [, start, end, total] = match;
  const parsed: ParsedRange = { lastChunk: end === '*' };
  if (start !== undefined) parsed.start = Number(start);
  if (total !== undefined && total !== '*') parsed.total = Number(total);
  if (start === undefined && length > 0) {
    throw new HttpError(400, 'A Content-Range of bytes */TOTAL carries no data, but the request has a body.');
  }
  if (start !== undefined && end !== undefined && end !== '*') {
    if (Number(end) < Number(start) || Number(end) - Number(start) + 1 !== length) {
      throw new HttpError(
        400,
        `Content-Range ${JSON.stringify(header)} does not match the body's ${length} bytes.`,
      );
    }
  }
  return parsed;
}
