import { HttpError } from './errors.js';

/** One body part of a `multipart/related` request: its media type and its bytes. */
export interface BodyPart {
  type: string;
  data: Buffer;
}

/**
 * The boundary of a `multipart/related` Content-Type. RFC 2046 allows a token or a double-quoted
 * string; gcloud (through Python's email package) sends it single-quoted, `boundary='===...=='`,
 * and GCS accepts that too, so all three forms are read.
 */
export function multipartBoundary(contentType: string | undefined): string {
  const type = contentType ?? '';
  const match = /;\s*boundary=(?:"([^"]*)"|'([^']*)'|([^;\s]+))/i.exec(type);
  const boundary = match?.[1] ?? match?.[2] ?? match?.[3];
  if (!/^multipart\/related\s*(;|$)/i.test(type) || !boundary) {
    throw new HttpError(
      400,
      `A multipart upload needs Content-Type multipart/related with a boundary, not ${JSON.stringify(type)}.`,
    );
  }
  return boundary;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * The body parts of a `multipart/related` request (GCS's `uploadType=multipart`), as GCS reads them:
 * a delimiter is `--boundary` at the start of a line, lines end in CRLF or a bare LF (gcloud sends
 * LF), text before the first delimiter (the preamble) and after the closing `--boundary--` (the
 * epilogue) is ignored, and the line break before each delimiter belongs to the delimiter, not to the
 * data before it.
 */
export function parseMultipart(contentType: string | undefined, body: Buffer): BodyPart[] {
  const delimiter = Buffer.from(`--${multipartBoundary(contentType)}`);
  const parts: BodyPart[] = [];
  let at = findDelimiter(body, delimiter, 0);
  while (at !== -1) {
    let start = at + delimiter.length;
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break; // `--boundary--`: the epilogue follows
    start = afterLineBreak(body, start);
    const next = findDelimiter(body, delimiter, start);
    if (next === -1) throw new HttpError(400, 'Malformed multipart body: it has no closing boundary.');
    parts.push(parsePart(body.subarray(start, lineStart(body, next))));
    at = next;
  }
  if (parts.length !== 2) {
    throw new HttpError(
      400,
      `A multipart upload has exactly two parts, metadata and media; this one has ${parts.length}.`,
    );
  }
  return parts;
}

/** The next `--boundary` from `from` that starts a line (the body's first byte starts one too). */
function findDelimiter(body: Buffer, delimiter: Buffer, from: number): number {
  for (let at = body.indexOf(delimiter, from); at !== -1; at = body.indexOf(delimiter, at + 1)) {
    if (at === 0 || body[at - 1] === LF) return at;
  }
  return -1;
}

/** Where the line break that ends at `delimiterAt` begins: CRLF and LF both belong to the delimiter. */
function lineStart(body: Buffer, delimiterAt: number): number {
  if (delimiterAt === 0) return 0;
  return body[delimiterAt - 2] === CR ? delimiterAt - 2 : delimiterAt - 1;
}

/** Skips transport padding (spaces and tabs, RFC 2046) and the line break after a delimiter. */
function afterLineBreak(body: Buffer, from: number): number {
  let at = from;
  while (body[at] === 0x20 || body[at] === 0x09) at++;
  if (body[at] === CR && body[at + 1] === LF) return at + 2;
  if (body[at] === LF) return at + 1;
  throw new HttpError(400, 'Malformed multipart body: a boundary line has text after the boundary.');
}

/** A part's headers end at its first empty line; what follows is its data. */
function parsePart(part: Buffer): BodyPart {
  let headerEnd = -1;
  let dataStart = 0;
  if (part[0] === LF) dataStart = 1;
  else if (part[0] === CR && part[1] === LF) dataStart = 2;
  else {
    for (let at = part.indexOf(LF); at !== -1; at = part.indexOf(LF, at + 1)) {
      const next = part[at + 1] === CR ? at + 2 : at + 1;
      if (part[next] === LF) {
        headerEnd = at;
        dataStart = next + 1;
        break;
      }
    }
    if (headerEnd === -1)
      throw new HttpError(400, 'Malformed multipart body: a part has no blank line after its headers.');
  }
  const headers = headerEnd === -1 ? '' : part.subarray(0, headerEnd).toString('utf8');
  const type = /^content-type:\s*([^\r\n]+)/im.exec(headers)?.[1]?.trim() ?? 'application/octet-stream';
  return { type, data: part.subarray(dataStart) };
}
