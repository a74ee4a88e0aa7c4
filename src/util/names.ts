/**
 * GCS's naming rules, shared by the client (which rejects bad names before any request, with a
 * `ConfigurationError`) and the local server (which answers 400, as GCS does).
 * Source: cloud.google.com/storage/docs/buckets#naming and /docs/objects#naming.
 */

const BUCKET_CHARS = /^[a-z0-9][a-z0-9._-]*[a-z0-9]$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Why `name` is not a valid bucket name, or `undefined` when it is. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 222) return 'must be 3 to 63 characters (222 with dots)';
  if (!BUCKET_CHARS.test(name)) {
    return 'may contain only lowercase letters, digits, "-", "_" and ".", and must start and end with a letter or digit';
  }
  if (!name.includes('.') && name.length > 63) return 'must be 3 to 63 characters (222 with dots)';
  if (name.split('.').some((part) => part.length === 0 || part.length > 63)) {
    return 'each dot-separated part must be 1 to 63 characters';
  }
  if (IPV4.test(name)) return 'must not look like an IP address';
  if (name.startsWith('goog')) return 'must not start with "goog"';
  if (/g[o0]{2}g[l1]e/.test(name)) return 'must not contain "google" or a close misspelling of it';
  return undefined;
}

/** Why `name` is not a valid object name, or `undefined` when it is. */
export function objectNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (!name.isWellFormed()) return 'must be valid UTF-8 (it contains a lone surrogate)';
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > 1024) return `must be at most 1024 bytes of UTF-8 (it has ${bytes})`;
  if (/[\r\n]/.test(name)) return 'must not contain carriage return or line feed characters';
  if (name === '.' || name === '..') return 'must not be "." or ".."';
  if (name.startsWith('.well-known/acme-challenge/')) {
    return 'must not start with ".well-known/acme-challenge/"';
  }
  return undefined;
}
