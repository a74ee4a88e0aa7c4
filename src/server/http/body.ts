import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors.js';

/** Largest request body accepted. Lock objects are tiny; this only stops a runaway client. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Reads the whole request body; rejects with 413 past `MAX_BODY_BYTES`. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'The request body is too large.');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** A JSON object body (an empty body is `{}`); anything else is GCS's 400 `parseError`. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'Parse Error', 'parseError');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new HttpError(400, 'The request body must be a JSON object.', 'parseError');
  }
  return parsed as Record<string, unknown>;
}

/** Object metadata from a request's JSON: what an insert may set. */
export interface ObjectFields {
  name?: string;
  contentType?: string;
  metadata?: Record<string, string>;
}

/**
 * The fields of an object resource that an insert honours. Values are passed to the engine as sent
 * (a non-string metadata value is the engine's 400), except `null`, which on insert just means "absent".
 */
export function objectFields(json: Record<string, unknown>): ObjectFields {
  const fields: ObjectFields = {};
  if (typeof json.name === 'string') fields.name = json.name;
  if (typeof json.contentType === 'string') fields.contentType = json.contentType;
  if (json.metadata !== undefined && json.metadata !== null) {
    if (typeof json.metadata !== 'object' || Array.isArray(json.metadata)) {
      throw new HttpError(400, 'Invalid value for metadata: must be an object.');
    }
    const metadata: Record<string, string> = {};
    for (const [key, value] of Object.entries(json.metadata as Record<string, unknown>)) {
      if (value !== null) metadata[key] = value as string;
    }
    fields.metadata = metadata;
  }
  return fields;
}

/** The body parts of a `multipart/related` request (GCS's `uploadType=multipart`). */
export function parseMultipart(
  contentType: string | undefined,
  body: Buffer,
): Array<{ type: string; data: Buffer }> {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary || !/^multipart\/related/i.test(contentType ?? '')) {
    throw new HttpError(400, 'A multipart upload needs a multipart/related body with a boundary.');
  }
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Array<{ type: string; data: Buffer }> = [];
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break; // the closing delimiter
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    const part = body.subarray(start, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd === -1) throw new HttpError(400, 'Malformed multipart body.');
    const headers = part.subarray(0, headerEnd).toString('utf8');
    let data = part.subarray(headerEnd + 4);
    // The CRLF before the next delimiter belongs to the delimiter, not to the data.
    if (data.subarray(-2).toString() === '\r\n') data = data.subarray(0, -2);
    const type = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim() ?? 'application/octet-stream';
    parts.push({ type, data });
    at = next;
  }
  if (parts.length !== 2)
    throw new HttpError(400, 'A multipart upload has exactly two parts: metadata and media.');
  return parts;
}
