import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * One record of the server's log: an `op` and the fields of what it concerns. Field values may be any
 * JSON value, a `bigint` or a `Buffer` (top-level fields only): that is enough for every engine record
 * (objects, with their generations and data; buckets; and whatever fields either grows later) without
 * this file knowing them.
 */
export type LogRecord = { op: string } & Record<string, unknown>;

/**
 * On disk a record is one JSON line, then the raw bytes of its `Buffer` fields, then a newline:
 *
 *     {"op":"put","bucket":"b","name":"o","generation":"1764...","$bigints":["generation"],"$buffers":{"data":5}}\n
 *     hello\n
 *
 * Raw bytes, not base64 in the JSON: no string grows with the object's size (V8 caps strings at
 * 512 MiB, which is what made the old single-JSON snapshot throw), and nothing is copied to write it.
 * The trailing newline lets a reader tell a whole record from one cut short by a crash.
 */
export function encodeRecord(record: LogRecord): Buffer[] {
  const json: Record<string, unknown> = {};
  const bigints: string[] = [];
  const buffers: Record<string, number> = {};
  const data: Buffer[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (key.startsWith('$')) throw new TypeError(`cannot persist field ${key}: $-keys are the log's own`);
    if (typeof value === 'bigint') {
      bigints.push(key);
      json[key] = value.toString();
    } else if (Buffer.isBuffer(value)) {
      buffers[key] = value.length;
      data.push(value);
    } else if (value instanceof Map || value instanceof Set || typeof value === 'function') {
      continue; // collections (a bucket's objects) are logged record by record, never inside another
    } else if (value !== undefined) {
      json[key] = value;
    }
  }
  if (bigints.length > 0) json.$bigints = bigints;
  if (data.length > 0) json.$buffers = buffers;
  return [Buffer.from(`${JSON.stringify(json)}\n`), ...data, NEWLINE];
}

const NEWLINE = Buffer.from('\n');

/** A record's JSON line, parsed and with its `$bigints` restored; its buffers still to be read. */
function decodeHead(line: string, where: string): { record: LogRecord; buffers: Array<[string, number]> } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    throw new Error(`${where}: not a log record (${(error as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || typeof (parsed as LogRecord).op !== 'string') {
    throw new Error(`${where}: a log record is a JSON object with an "op"`);
  }
  const { $bigints, $buffers, ...fields } = parsed as LogRecord & { $bigints?: unknown; $buffers?: unknown };
  const record = fields as LogRecord;
  for (const key of Array.isArray($bigints) ? ($bigints as unknown[]) : []) {
    if (typeof key === 'string' && typeof record[key] === 'string') record[key] = BigInt(record[key]);
  }
  const buffers = Object.entries(($buffers ?? {}) as Record<string, unknown>).map(
    ([key, length]): [string, number] => {
      if (!Number.isSafeInteger(length) || (length as number) < 0) {
        throw new Error(`${where}: bad length for ${key}`);
      }
      return [key, length as number];
    },
  );
  return { record, buffers };
}

/** Records read from a log file, and where the last whole one ends (a crash may leave a torn tail). */
export interface ReadLog {
  records: LogRecord[];
  /** Bytes up to the end of the last whole record: the rest, if any, is a torn write to cut off. */
  validBytes: number;
  /** The file's size. */
  totalBytes: number;
}

const BLOCK = 1024 * 1024;

/**
 * Reads every whole record of a log file. A record cut short at the end (the process died while
 * appending it) ends the log there; a record that is malformed anywhere else throws, naming the file
 * and the offset, because then the file is not ours or is damaged and guessing would lose data.
 */
export function readLog(file: string): ReadLog {
  const fd = openSync(file, 'r');
  try {
    const reader = new BlockReader(fd);
    const records: LogRecord[] = [];
    let validBytes = 0;
    for (;;) {
      const line = reader.line();
      if (line === undefined) break;
      const { record, buffers } = decodeHead(line, `${file} at byte ${validBytes}`);
      let torn = false;
      for (const [key, length] of buffers) {
        const bytes = reader.bytes(length);
        if (bytes === undefined) torn = true;
        else record[key] = bytes;
      }
      if (torn) break;
      const end = reader.bytes(1);
      if (end === undefined) break;
      if (end[0] !== 0x0a)
        throw new Error(`${file} at byte ${validBytes}: a record does not end where its lengths say`);
      records.push(record);
      validBytes = reader.offset;
    }
    return { records, validBytes, totalBytes: fstatSync(fd).size };
  } finally {
    closeSync(fd);
  }
}

/** Sequential reads of lines and byte runs from a file, a block at a time. */
class BlockReader {
  readonly #fd: number;
  #buffer = Buffer.alloc(0);
  /** File offset of `#buffer[0]`. */
  #base = 0;
  #at = 0;
  #eof = false;

  constructor(fd: number) {
    this.#fd = fd;
  }

  get offset(): number {
    return this.#base + this.#at;
  }

  /** The next line without its newline, or `undefined` at the end (a last line without one is torn). */
  line(): string | undefined {
    for (;;) {
      const end = this.#buffer.indexOf(0x0a, this.#at);
      if (end !== -1) {
        const line = this.#buffer.toString('utf8', this.#at, end);
        this.#at = end + 1;
        return line;
      }
      if (this.#eof) return undefined;
      this.#fill(BLOCK);
    }
  }

  /** The next `length` bytes, or `undefined` if the file ends first. */
  bytes(length: number): Buffer | undefined {
    while (this.#buffer.length - this.#at < length && !this.#eof) this.#fill(Math.max(BLOCK, length));
    if (this.#buffer.length - this.#at < length) return undefined;
    const bytes = Buffer.from(this.#buffer.subarray(this.#at, this.#at + length)); // a copy: the block is reused
    this.#at += length;
    return bytes;
  }

  /** Drops what was consumed and reads up to `want` more bytes. */
  #fill(want: number): void {
    const rest = this.#buffer.subarray(this.#at);
    const next = Buffer.allocUnsafe(rest.length + want);
    rest.copy(next);
    const read = readSync(this.#fd, next, rest.length, want, this.#base + this.#buffer.length);
    this.#base += this.#at;
    this.#at = 0;
    this.#buffer = next.subarray(0, rest.length + read);
    if (read === 0) this.#eof = true;
  }
}
