import { describe, expect, it } from 'vitest';
import { bucketNameProblem, objectNameProblem } from '../../src/util/names.js';

describe('bucketNameProblem', () => {
  it.each([
    'abc',
    'my-bucket',
    'my_bucket',
    'a1b2c3',
    '123',
    'a'.repeat(63),
    'my.bucket.example.com',
    `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(30)}`, // 222 with dots
    'gog-locks',
    '1.2.3',
  ])('accepts case %#', (name) => {
    expect(bucketNameProblem(name)).toBeUndefined();
  });

  it.each([
    ['', /3 to 63 characters/],
    ['ab', /3 to 63 characters/],
    ['a'.repeat(64), /3 to 63 characters/],
    [`${'a'.repeat(100)}.${'b'.repeat(10)}`, /each dot-separated part must be 1 to 63/],
    [`${'a.'.repeat(111)}b`, /3 to 63 characters/], // 223 characters
    ['My-Bucket', /lowercase letters/],
    ['-bucket', /start and end with a letter or digit/],
    ['bucket-', /start and end with a letter or digit/],
    ['buck et', /lowercase letters/],
    ['bucket/x', /lowercase letters/],
    ['a..b', /each dot-separated part/],
    ['192.168.5.4', /IP address/],
    ['goog-locks', /must not start with "goog"/],
    ['my-google-bucket', /"google"/],
    ['my-g00gle-bucket', /"google"/],
    ['my-goog1e-bucket', /"google"/],
  ])('rejects case %#', (name, problem) => {
    expect(bucketNameProblem(name)).toMatch(problem);
  });
});

describe('objectNameProblem', () => {
  it.each([
    'a',
    'locks/nightly-report',
    'a//b',
    '/leading/slash',
    'trailing/',
    'spaces and %20 and ?#[]*',
    'ünïcødé/😀',
    '...',
    '.well-known/other',
    'x'.repeat(1024),
    'é'.repeat(512), // 1024 bytes
  ])('accepts case %#', (name) => {
    expect(objectNameProblem(name)).toBeUndefined();
  });

  it.each([
    ['', 'must not be empty'],
    ['.', 'must not be "." or ".."'],
    ['..', 'must not be "." or ".."'],
    ['a\rb', 'must not contain carriage return or line feed characters'],
    ['a\nb', 'must not contain carriage return or line feed characters'],
    ['.well-known/acme-challenge/token', 'must not start with ".well-known/acme-challenge/"'],
    ['x'.repeat(1025), 'must be at most 1024 bytes of UTF-8 (it has 1025)'],
    ['é'.repeat(513), 'must be at most 1024 bytes of UTF-8 (it has 1026)'],
    ['a\ud800b', 'must be valid UTF-8 (it contains a lone surrogate)'],
    ['\udfff', 'must be valid UTF-8 (it contains a lone surrogate)'],
  ])('rejects case %#', (name, problem) => {
    expect(objectNameProblem(name)).toBe(problem);
  });
});
