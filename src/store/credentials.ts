import { ConfigurationError } from '../errors/configuration-error.js';
import type { AuthClient } from './auth.js';

/** The OAuth scope the lock needs: read and write objects, nothing more (no IAM, no bucket admin). */
export const STORAGE_SCOPE = 'https://www.googleapis.com/auth/devstorage.read_write';

/**
 * Builds the Application Default Credentials client. Injectable so that tests never reach the
 * metadata server; the default imports google-auth-library on first use only, so the CLI and runs
 * against a local server never pay for loading it.
 *
 * @default loadGoogleAuth
 * @example
 * ```ts
 * const factory: AuthFactory = async () => ({ getRequestHeaders: async () => ({}) });
 * ```
 */
export type AuthFactory = () => Promise<AuthClient>;

/**
 * The default `AuthFactory`: `new GoogleAuth({ scopes: [STORAGE_SCOPE] })`, imported lazily.
 *
 * @example
 * ```ts
 * const auth = await loadGoogleAuth();
 * ```
 */
export const loadGoogleAuth: AuthFactory = async () => {
  const { GoogleAuth } = await import('google-auth-library');
  return new GoogleAuth({ scopes: [STORAGE_SCOPE] });
};

let sharedAdc: Promise<AuthClient> | undefined;

/**
 * One ADC client per process, created on first use: its token cache is then shared by every store,
 * so a thousand locks refresh one access token, not a thousand. A failed creation is forgotten, so a
 * later call (after the user fixed their setup) tries again.
 *
 * @example
 * ```ts
 * const headers = await authHeaders(await sharedDefaultCredentials(), url, []);
 * ```
 */
export function sharedDefaultCredentials(factory: AuthFactory = loadGoogleAuth): Promise<AuthClient> {
  if (factory !== loadGoogleAuth) return factory();
  sharedAdc ??= factory().catch((error: unknown) => {
    sharedAdc = undefined;
    throw error;
  });
  return sharedAdc;
}

/**
 * Asks `client` for request headers and returns them as a plain object (google-auth-library v10
 * returns `Headers`; older versions and hand-written clients return a plain object or a `Map`).
 * Every header value is pushed to `secrets`, so that error messages can be scrubbed of them.
 *
 * @throws ConfigurationError when no credential can be found (with the three places ADC looks)
 * @throws Error (a plain one, with a scrubbed message) for any other failure to get a token
 * @example
 * ```ts
 * const secrets: string[] = [];
 * const headers = await authHeaders(client, 'https://storage.googleapis.com/...', secrets);
 * ```
 */
export async function authHeaders(
  client: AuthClient,
  url: string,
  secrets: string[],
): Promise<Record<string, string>> {
  let raw: unknown;
  try {
    raw = await client.getRequestHeaders(url);
  } catch (error) {
    throw credentialError(error);
  }
  const headers: Record<string, string> = {};
  const add = (name: unknown, value: unknown): void => {
    if (typeof name !== 'string' || typeof value !== 'string') return;
    headers[name.toLowerCase()] = value;
    secrets.push(value);
    // "Bearer X": X alone may show up in a body that echoes it.
    const space = value.indexOf(' ');
    if (space > 0 && space < value.length - 1) secrets.push(value.slice(space + 1));
  };
  if (raw instanceof Headers || raw instanceof Map) {
    raw.forEach((value: unknown, name: unknown) => add(name, value));
  } else if (raw !== null && typeof raw === 'object') {
    for (const [name, value] of Object.entries(raw)) add(name, value);
  }
  return headers;
}

const MISSING_CREDENTIALS = [
  /Could not load the default credentials/i,
  /does not exist, or it is not a file/i,
  /Unable to detect a Project Id/i,
];

/**
 * What the user sees when credentials fail. The library's own error is never attached as `cause`:
 * gaxios errors carry the token request (client secrets, refresh tokens, JWT assertions) in their
 * properties, and `util.inspect` would print them. Only a scrubbed first line of the message is kept.
 */
function credentialError(error: unknown): Error {
  const message = firstLine(error instanceof Error ? error.message : String(error));
  if (MISSING_CREDENTIALS.some((pattern) => pattern.test(message))) {
    return new ConfigurationError(
      'authClient',
      `no Google Cloud credentials found (${message}). Application Default Credentials looks, in order, ` +
        'at: 1. the GOOGLE_APPLICATION_CREDENTIALS environment variable (a service account or external ' +
        'account key file); 2. the file written by `gcloud auth application-default login`; 3. the ' +
        'metadata server, on GCE, Cloud Run, GKE and Cloud Functions. Alternatively pass `authClient`, ' +
        'or set STORAGE_EMULATOR_HOST / `endpoint` to use a local server without credentials.',
    );
  }
  return new Error(`could not obtain credentials: ${message}`);
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return scrubTokens(line.length > 300 ? `${line.slice(0, 300)}...` : line);
}

/**
 * Removes anything token-shaped from text we did not write: OAuth access tokens (`ya29.`), JWTs, and
 * the value after "Bearer". Defence in depth; exact header values are scrubbed by `redact`.
 *
 * @example
 * ```ts
 * scrubTokens('Bearer ya29.abc'); // 'Bearer [REDACTED]'
 * ```
 */
export function scrubTokens(text: string): string {
  return text
    .replace(/(bearer\s+)[^\s"',;]+/gi, '$1[REDACTED]')
    .replace(/ya29\.[\w.-]+/g, '[REDACTED]')
    .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, '[REDACTED]');
}

/**
 * Replaces every occurrence of each secret in `text` (longest first, so a token inside its
 * "Bearer ..." header value goes too).
 *
 * @example
 * ```ts
 * redact('got Bearer X1', ['Bearer X1', 'X1']); // 'got [REDACTED]'
 * ```
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length >= 4) out = out.split(secret).join('[REDACTED]');
  }
  return scrubTokens(out);
}
