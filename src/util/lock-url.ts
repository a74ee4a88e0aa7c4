import { ConfigurationError } from '../errors/configuration-error.js';
import { bucketNameProblem, objectNameProblem } from './names.js';

const LOCK_EXAMPLE = 'gs://my-bucket/locks/nightly';
const BUCKET_EXAMPLE = 'gs://my-bucket or gs://my-bucket/locks/';

/**
 * Splits a lock URL into bucket and object name. The object name is taken literally, as `gsutil` and
 * `gcloud storage` do: no percent-decoding, so `gs://b/a%20b` names the object `a%20b`.
 * A name ending in `/` is rejected: it looks like a folder and is almost always a mistake.
 *
 * @throws ConfigurationError naming the input and showing a valid URL
 * @example
 * ```ts
 * parseLockUrl('gs://my-bucket/locks/nightly'); // { bucket: 'my-bucket', object: 'locks/nightly' }
 * ```
 */
export function parseLockUrl(url: string): { bucket: string; object: string } {
  const rest = stripScheme(url, 'lock URL', LOCK_EXAMPLE);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const object = slash === -1 ? '' : rest.slice(slash + 1);
  checkBucket(url, bucket, 'lock URL', LOCK_EXAMPLE);
  if (object === '') {
    throw invalid(url, 'lock URL', 'has no object name after the bucket', LOCK_EXAMPLE);
  }
  if (object.endsWith('/')) {
    throw invalid(url, 'lock URL', 'ends with "/", which names a folder rather than an object', LOCK_EXAMPLE);
  }
  const problem = objectNameProblem(object);
  if (problem) throw invalid(url, 'lock URL', `has an invalid object name: it ${problem}`, LOCK_EXAMPLE);
  return { bucket, object };
}

/**
 * Splits `gs://bucket[/prefix]` into bucket and prefix (`''` when none). The prefix is kept as
 * written: `gs://b/locks` matches `locks-old/x` too; write `gs://b/locks/` for a folder.
 *
 * @throws ConfigurationError naming the input and showing a valid URL
 * @example
 * ```ts
 * parseBucketUrl('gs://my-bucket/locks/'); // { bucket: 'my-bucket', prefix: 'locks/' }
 * parseBucketUrl('gs://my-bucket');        // { bucket: 'my-bucket', prefix: '' }
 * ```
 */
export function parseBucketUrl(url: string): { bucket: string; prefix: string } {
  const rest = stripScheme(url, 'bucket URL', BUCKET_EXAMPLE);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const prefix = slash === -1 ? '' : rest.slice(slash + 1);
  checkBucket(url, bucket, 'bucket URL', BUCKET_EXAMPLE);
  if (prefix !== '') {
    const problem = objectNameProblem(prefix);
    if (problem) throw invalid(url, 'bucket URL', `has an invalid prefix: it ${problem}`, BUCKET_EXAMPLE);
  }
  return { bucket, prefix };
}

/**
 * The inverse of `parseLockUrl`.
 *
 * @example
 * ```ts
 * formatLockUrl('my-bucket', 'locks/nightly'); // 'gs://my-bucket/locks/nightly'
 * ```
 */
export function formatLockUrl(bucket: string, object: string): string {
  return `gs://${bucket}/${object}`;
}

function stripScheme(url: unknown, what: string, example: string): string {
  if (typeof url !== 'string') {
    throw new ConfigurationError('url', `${what} must be a string like "${example}", got ${typeof url}`);
  }
  if (!url.startsWith('gs://')) {
    const hint = /^https?:\/\//i.test(url) ? ' (an https:// console or API URL is not accepted)' : '';
    throw invalid(url, what, `must start with "gs://"${hint}`, example);
  }
  return url.slice('gs://'.length);
}

function checkBucket(url: string, bucket: string, what: string, example: string): void {
  if (bucket === '') throw invalid(url, what, 'has no bucket name', example);
  const problem = bucketNameProblem(bucket);
  if (problem) throw invalid(url, what, `has an invalid bucket name "${bucket}": it ${problem}`, example);
}

function invalid(url: string, what: string, problem: string, example: string): ConfigurationError {
  // JSON.stringify shows control characters and trailing spaces that would otherwise hide.
  const shown = url.length > 200 ? `${JSON.stringify(url.slice(0, 200))}...` : JSON.stringify(url);
  return new ConfigurationError('url', `${what} ${shown} ${problem}; a valid one looks like "${example}"`);
}
