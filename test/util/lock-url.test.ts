import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors/configuration-error.js';
import { formatLockUrl, parseBucketUrl, parseLockUrl } from '../../src/util/lock-url.js';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigurationError');
}

describe('parseLockUrl', () => {
  it('splits bucket and object, taking the object name literally', () => {
    expect(parseLockUrl('gs://my-bucket/locks/nightly')).toEqual({
      bucket: 'my-bucket',
      object: 'locks/nightly',
    });
    expect(parseLockUrl('gs://my.bucket.example/a%20b c')).toEqual({
      bucket: 'my.bucket.example',
      object: 'a%20b c',
    });
    expect(parseLockUrl('gs://abc/x//y')).toEqual({ bucket: 'abc', object: 'x//y' });
  });

  it.each([
    ['my-bucket/locks/x', /must start with "gs:\/\/"/],
    ['https://storage.googleapis.com/my-bucket/x', /https:\/\/ console or API URL/],
    ['gs://my-bucket', /no object name/],
    ['gs://my-bucket/', /no object name/],
    ['gs:///x', /no bucket name/],
    ['gs://Bad_Bucket/x', /invalid bucket name "Bad_Bucket"/],
    ['gs://goog-locks/x', /must not start with "goog"/],
    ['gs://my-bucket/locks/', /names a folder/],
    ['gs://my-bucket/a\nb', /carriage return or line feed/],
    [`gs://my-bucket/${'x'.repeat(1025)}`, /at most 1024 bytes/],
  ])('rejects %j, naming the input and showing a valid URL', (url, problem) => {
    const message = messageOf(() => parseLockUrl(url));
    expect(message).toMatch(problem);
    expect(message).toContain(JSON.stringify(url).slice(0, 40));
    expect(message).toContain('gs://my-bucket/locks/nightly');
  });

  it('rejects a non-string', () => {
    expect(messageOf(() => parseLockUrl(42 as unknown as string))).toContain('got number');
  });

  it('formatLockUrl is its inverse', () => {
    const url = 'gs://my-bucket/locks/nightly';
    const { bucket, object } = parseLockUrl(url);
    expect(formatLockUrl(bucket, object)).toBe(url);
  });
});

describe('parseBucketUrl', () => {
  it('accepts a bucket alone or with a prefix, kept as written', () => {
    expect(parseBucketUrl('gs://my-bucket')).toEqual({ bucket: 'my-bucket', prefix: '' });
    expect(parseBucketUrl('gs://my-bucket/')).toEqual({ bucket: 'my-bucket', prefix: '' });
    expect(parseBucketUrl('gs://my-bucket/locks/')).toEqual({ bucket: 'my-bucket', prefix: 'locks/' });
    expect(parseBucketUrl('gs://my-bucket/locks')).toEqual({ bucket: 'my-bucket', prefix: 'locks' });
  });

  it('rejects bad buckets and prefixes with an example', () => {
    expect(messageOf(() => parseBucketUrl('gs://x'))).toMatch(/invalid bucket name "x".*gs:\/\/my-bucket/);
    expect(messageOf(() => parseBucketUrl('s3://my-bucket'))).toMatch(/must start with "gs:\/\/"/);
    expect(messageOf(() => parseBucketUrl('gs://my-bucket/a\rb'))).toMatch(/invalid prefix/);
  });
});
