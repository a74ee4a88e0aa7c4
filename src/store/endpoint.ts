import { ConfigurationError } from '../errors/configuration-error.js';

/** Google's public endpoint for the GCS JSON API. */
export const GOOGLE_ENDPOINT = 'https://storage.googleapis.com';

/**
 * Where requests go, and whether they may carry credentials.
 *
 * @example
 * ```ts
 * resolveEndpoint({ endpoint: 'http://127.0.0.1:4443/' });
 * // { base: 'http://127.0.0.1:4443', source: 'option', google: false }
 * ```
 */
export interface ResolvedEndpoint {
  /** Scheme, host, port and any path prefix; no trailing `/`, no `/storage/v1`. */
  base: string;
  /** Which setting decided it: the `endpoint` option, `STORAGE_EMULATOR_HOST`, or the default. */
  source: 'option' | 'env' | 'default';
  /** Whether the host is Google's (https and `*.googleapis.com`): only then are default credentials sent. */
  google: boolean;
}

// The same test as @google-cloud/storage's PROTOCOL_REGEX: anything before "://" counts as a scheme.
const HAS_SCHEME = /^(\w*):\/\//;

/**
 * Resolves the JSON API's base URL: the explicit `endpoint` option, else `STORAGE_EMULATOR_HOST`, else
 * `https://storage.googleapis.com`.
 *
 * Normalisation follows `@google-cloud/storage` (`Storage.sanitizeEndpoint`) in that trailing slashes
 * go, with two deliberate differences. A value without a scheme (`localhost:4443`) is an error that
 * names both spellings: the official Node client reads it as `https://`, other clients and most
 * emulator guides as `http://`, and guessing either way fails later with an obscure TLS or connection
 * error. And a trailing `/storage/v1` is removed too. The official client uses `STORAGE_EMULATOR_HOST` verbatim as the *metadata* base URL but builds
 * upload URLs from the same value plus `/upload/storage/v1`, so `http://host:4443/storage/v1` works for
 * reads there and breaks uploads; we keep the host root and append each API's path ourselves, so both
 * spellings work. An empty `STORAGE_EMULATOR_HOST` counts as unset (the official client would build
 * `https://` from it and fail on the first request).
 *
 * @param options.endpoint - the user's `endpoint` option, if any
 * @param options.env - the environment to read `STORAGE_EMULATOR_HOST` from
 * @default env: process.env
 * @throws ConfigurationError when the value has no scheme, is not an http(s) URL, carries user info,
 *   a query or a fragment, or sends Google's endpoint over plain http
 * @example
 * ```ts
 * process.env.STORAGE_EMULATOR_HOST = 'http://localhost:4443/';
 * resolveEndpoint({}).base; // 'http://localhost:4443'
 * resolveEndpoint({ endpoint: 'localhost:4443' }); // throws: write "http://localhost:4443" or "https://..."
 * ```
 */
export function resolveEndpoint(
  options: { endpoint?: string | undefined; env?: NodeJS.ProcessEnv } = {},
): ResolvedEndpoint {
  if (options.endpoint !== undefined) {
    return { ...normalise(options.endpoint, 'endpoint'), source: 'option' };
  }
  const fromEnv = (options.env ?? process.env).STORAGE_EMULATOR_HOST?.trim();
  if (fromEnv) return { ...normalise(fromEnv, 'STORAGE_EMULATOR_HOST'), source: 'env' };
  return { base: GOOGLE_ENDPOINT, source: 'default', google: true };
}

function normalise(raw: unknown, option: string): { base: string; google: boolean } {
  const valid = `a URL like "http://127.0.0.1:4443" (a local server) or "${GOOGLE_ENDPOINT}"`;
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new ConfigurationError(option, `${option} must be ${valid}, got ${describe(raw)}`);
  }
  const value = raw.trim();
  if (!HAS_SCHEME.test(value)) {
    // Echoed only when it cannot hold a password (user info needs an "@").
    const shown = value.includes('@') ? 'the value' : describe(value);
    const fix = value.includes('@')
      ? ''
      : `: write "http://${value}" for a local server (plain HTTP), or "https://${value}"`;
    throw new ConfigurationError(option, `${option} ${shown} has no scheme${fix}`);
  }
  const withScheme = value;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ConfigurationError(option, `${option} ${describe(value)} is not a URL; it must be ${valid}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigurationError(
      option,
      `${option} ${describe(value)} must use http or https; it must be ${valid}`,
    );
  }
  if (url.username || url.password) {
    // Never echo the value: user info may be a password.
    throw new ConfigurationError(
      option,
      `${option} must not contain a user name or password; it must be ${valid}`,
    );
  }
  if (url.search || url.hash || withScheme.includes('?') || withScheme.includes('#')) {
    throw new ConfigurationError(
      option,
      `${option} ${describe(value)} must not have a query or fragment; it must be ${valid}`,
    );
  }
  const google = url.hostname === 'googleapis.com' || url.hostname.endsWith('.googleapis.com');
  if (google && url.protocol !== 'https:') {
    // Credentials must never travel in clear text to Google.
    throw new ConfigurationError(option, `${option} ${describe(value)} must use https for a Google host`);
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/storage\/v1$/, '');
  return { base: `${url.origin}${path}`, google };
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : `${typeof value} ${String(value)}`;
}
