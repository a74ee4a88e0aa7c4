import { isIP } from 'node:net';
import type { GenerationOrder } from '../../server/engine/generations.js';
import { resolveLimits, type ServerLimits } from '../../server/limits.js';
import { bucketNameProblem } from '../../util/names.js';
import { parseDuration, UsageError } from '../args.js';
import { ExitCode } from '../exit-codes.js';

const SIZE = /^(\d+)(B|KiB|MiB|GiB)?$/i;
const UNIT_BYTES: Record<string, number> = { b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** A byte size from the command line: bytes, or a number with KiB, MiB or GiB. */
export function parseSize(option: string, text: string): number {
  const match = SIZE.exec(text.trim());
  const bytes = match ? Number(match[1]) * UNIT_BYTES[(match[2] ?? 'b').toLowerCase()]! : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new UsageError(
      `${option} ${JSON.stringify(text)} is not a size: use bytes or a number with KiB, MiB or GiB (64MiB)`,
    );
  }
  return bytes;
}

/** Each `--bucket` checked now: a bad name is a usage error, not a server failure later. */
export function checkBuckets(buckets: readonly string[]): void {
  for (const bucket of buckets) {
    const problem = bucketNameProblem(bucket);
    if (problem)
      throw new UsageError(
        `emulator: --bucket ${JSON.stringify(bucket)} is not a bucket name: it ${problem}`,
      );
  }
}

/** The limits the flags ask for, checked: a bad combination is a usage error naming the flags. */
export function limitsFromFlags(values: {
  'max-object-size'?: string | undefined;
  'max-buffered'?: string | undefined;
  'max-connections'?: string | undefined;
  'upload-session-ttl'?: string | undefined;
}): Partial<ServerLimits> {
  const limits: Partial<ServerLimits> = {};
  if (values['max-object-size'] !== undefined)
    limits.maxObjectBytes = parseSize('--max-object-size', values['max-object-size']);
  if (values['max-buffered'] !== undefined)
    limits.maxBufferedBytes = parseSize('--max-buffered', values['max-buffered']);
  if (values['max-connections'] !== undefined) {
    const text = values['max-connections'];
    if (!/^\d{1,6}$/.test(text) || Number(text) < 1) {
      throw new UsageError(
        `--max-connections ${JSON.stringify(text)} is not a count: use an integer from 1 to 999999`,
      );
    }
    limits.maxConnections = Number(text);
  }
  if (values['upload-session-ttl'] !== undefined) {
    limits.uploadSessionIdleMs = parseDuration('--upload-session-ttl', values['upload-session-ttl']);
    if (limits.uploadSessionIdleMs < 1) throw new UsageError('--upload-session-ttl must be above zero');
  }
  try {
    resolveLimits(limits);
  } catch (error) {
    throw new UsageError(
      `emulator: ${(error as Error).message.replace('limits.maxBufferedBytes', '--max-buffered').replace('limits.maxObjectBytes', '--max-object-size')}`,
    );
  }
  return limits;
}

/** `--control on|off`. */
export function parseControl(text: string | undefined): boolean {
  if (text === undefined || text === 'on') return true;
  if (text === 'off') return false;
  throw new UsageError(
    `--control ${JSON.stringify(text)}: use on or off (set GCS_LOCK_CONTROL_TOKEN to require a token)`,
  );
}

/** `--generations increasing|unordered`. */
export function parseGenerations(text: string | undefined): GenerationOrder {
  if (text === undefined || text === 'increasing' || text === 'unordered') return text ?? 'increasing';
  throw new UsageError(
    `--generations ${JSON.stringify(text)}: use increasing (microsecond-like, as GCS's are in practice) or unordered`,
  );
}

/** Loopback addresses and names: anything else exposes the server (and its controls) to the network. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** What to tell whoever starts the server on a non-loopback address; `undefined` on loopback. */
export function exposureWarning(host: string, control: boolean, token: boolean): string | undefined {
  if (isLoopback(host)) return undefined;
  const open = control && !token;
  return (
    `listening on ${host}, not a loopback address: anyone who can reach it can read and change every ` +
    `object${open ? ' and steer the server through /_gcs-lock/' : ''}. ` +
    (open ? 'Use --control off or set GCS_LOCK_CONTROL_TOKEN, and listen' : 'Listen') +
    ' beyond loopback only on a network that is yours alone.'
  );
}

/**
 * Why the server could not listen, as one line that names the flag to change, and the exit code for
 * it; `undefined` for an error that is not about listening.
 */
export function listenFailure(
  error: unknown,
  host: string,
  port: number,
): { message: string; exitCode: number } | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${host}:${port}`;
  const messages: Record<string, string> = {
    EADDRINUSE: `port ${port} on ${host} is already in use: stop what holds it, or pick another with --port (0 for any free port)`,
    EACCES: `no permission to listen on ${where}: use a port above 1023`,
    EADDRNOTAVAIL: `--host ${host} is not an address of this machine: use 127.0.0.1, ::1, 0.0.0.0 or one of its interfaces`,
    ENOTFOUND: `--host ${host} does not resolve to an address: use an IP address or a name this machine resolves`,
    EAI_AGAIN: `--host ${host} could not be resolved (DNS did not answer): use an IP address`,
    EAFNOSUPPORT: `--host ${host}: this machine does not support that address family`,
  };
  const message = code === undefined ? undefined : messages[code];
  return message === undefined
    ? undefined
    : { message: `emulator: ${message}`, exitCode: ExitCode.CANNOT_LISTEN };
}
