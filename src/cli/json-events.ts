import type { LockEvent } from '../core/events.js';

/** A CLI-level event for `--json`, besides the lock's own events. */
export type CliEvent =
  | { type: 'child-started'; pid: number | undefined; command: string; watchdogPid: number | undefined }
  | { type: 'child-exited'; code: number | null; signal: string | null }
  | { type: 'signal-forwarded'; signal: string }
  | { type: 'signal-not-forwarded'; signal: string; reason: string }
  | { type: 'leftovers'; pgid: number }
  | { type: 'releasing'; url: string }
  | { type: 'no-answer-yet'; endpoint: string; afterMs: number }
  | { type: 'left-to-expire'; reason: string; expiresAt: string | undefined }
  | { type: 'kill'; signal: string; reason: string }
  | { type: 'interrupted'; signal: string }
  | { type: 'gave-up'; reason: 'held' | 'timeout'; waitedMs: number | undefined }
  | { type: 'leading'; candidate: string; token: string }
  | { type: 'term-ended'; status: number }
  | { type: 'error'; message: string; exitCode: number };

/**
 * Turns an event into one JSON line: `{"time":"...","event":"acquired",...}`. Errors become
 * `{name, message, ...}` (their own enumerable fields would be lost by JSON.stringify); dates become
 * ISO strings. Nothing here ever carries an owner token: lock events do not contain one.
 */
export function eventToJson(event: LockEvent | CliEvent | { type: string }, now: Date = new Date()): string {
  const { type, ...rest } = event;
  return JSON.stringify({ time: now.toISOString(), event: type, ...rest }, (_key, value: unknown) =>
    value instanceof Error ? errorToJson(value) : value,
  );
}

function errorToJson(error: Error): Record<string, unknown> {
  const fields: Record<string, unknown> = { name: error.name, message: error.message };
  for (const key of ['code', 'reason', 'status', 'token'] as const) {
    const value = (error as unknown as Record<string, unknown>)[key];
    if (value !== undefined) fields[key] = value;
  }
  return fields;
}

/** Writes events as JSON lines to a stream (stderr for `--json`, keeping stdout for the command). */
export class JsonEventWriter {
  readonly #stream: NodeJS.WritableStream;
  constructor(stream: NodeJS.WritableStream) {
    this.#stream = stream;
  }
  write(event: LockEvent | CliEvent | { type: string }): void {
    this.#stream.write(`${eventToJson(event)}\n`);
  }
}
