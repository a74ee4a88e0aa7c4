import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors/configuration-error.js';
import { resolveEndpoint } from '../../src/store/endpoint.js';

const env = (STORAGE_EMULATOR_HOST?: string): NodeJS.ProcessEnv =>
  STORAGE_EMULATOR_HOST === undefined ? {} : { STORAGE_EMULATOR_HOST };

describe('resolveEndpoint', () => {
  it("defaults to Google's endpoint, with credentials", () => {
    expect(resolveEndpoint({ env: env() })).toEqual({
      base: 'https://storage.googleapis.com',
      source: 'default',
      google: true,
    });
  });

  it.each([
    ['http://127.0.0.1:4443', 'http://127.0.0.1:4443'],
    ['http://127.0.0.1:4443/', 'http://127.0.0.1:4443'],
    ['http://127.0.0.1:4443//', 'http://127.0.0.1:4443'],
    ['http://127.0.0.1:4443/storage/v1', 'http://127.0.0.1:4443'],
    ['http://127.0.0.1:4443/storage/v1/', 'http://127.0.0.1:4443'],
    ['http://proxy.local/gcs/storage/v1/', 'http://proxy.local/gcs'],
    ['  http://127.0.0.1:9000  ', 'http://127.0.0.1:9000'],
  ])('STORAGE_EMULATOR_HOST=%j -> %s, never with credentials', (value, base) => {
    expect(resolveEndpoint({ env: env(value) })).toEqual({ base, source: 'env', google: false });
  });

  it('the explicit option wins over STORAGE_EMULATOR_HOST', () => {
    const resolved = resolveEndpoint({ endpoint: 'http://127.0.0.1:1234/', env: env('http://127.0.0.1:9') });
    expect(resolved).toEqual({ base: 'http://127.0.0.1:1234', source: 'option', google: false });
  });

  it('an empty STORAGE_EMULATOR_HOST counts as unset', () => {
    expect(resolveEndpoint({ env: env('') }).source).toBe('default');
  });

  it('recognises Google hosts (regional and private endpoints too)', () => {
    expect(resolveEndpoint({ endpoint: 'https://storage.googleapis.com/' }).google).toBe(true);
    expect(resolveEndpoint({ endpoint: 'https://storage.us-east1.rep.googleapis.com' }).google).toBe(true);
    expect(resolveEndpoint({ endpoint: 'https://googleapis.com.evil.example' }).google).toBe(false);
  });

  it.each([
    ['ftp://127.0.0.1', /must use http or https/],
    ['http://', /is not a URL/],
    ['http://127.0.0.1:4443/?x=1', /query or fragment/],
    ['http://127.0.0.1:4443#frag', /query or fragment/],
    ['http://storage.googleapis.com', /must use https for a Google host/],
    ['', /must be a URL like/],
  ])('rejects endpoint %j with a ConfigurationError naming the option', (value, message) => {
    let error: unknown;
    try {
      resolveEndpoint({ endpoint: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).option).toBe('endpoint');
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(/^endpoint /);
  });

  it('never echoes a password in user info', () => {
    expect(() => resolveEndpoint({ endpoint: 'http://me:hunter2@127.0.0.1' })).toThrow(
      /user name or password/,
    );
    try {
      resolveEndpoint({ endpoint: 'http://me:hunter2@127.0.0.1' });
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
  });

  it.each(['localhost:4443', '127.0.0.1:4443', 'storage.googleapis.com'])(
    'rejects %j without a scheme, naming both spellings that would work',
    (value) => {
      for (const resolve of [
        () => resolveEndpoint({ endpoint: value }),
        () => resolveEndpoint({ env: env(value) }),
      ]) {
        expect(resolve).toThrow(ConfigurationError);
        expect(resolve).toThrow(
          `has no scheme: write "http://${value}" for a local server (plain HTTP), or "https://${value}"`,
        );
      }
      expect(() => resolveEndpoint({ env: env(value) })).toThrow(/^STORAGE_EMULATOR_HOST /);
    },
  );

  it('never echoes a scheme-less value that may hold a password', () => {
    expect(() => resolveEndpoint({ endpoint: 'me:hunter2@127.0.0.1:4443' })).toThrow(/has no scheme/);
    expect(() => resolveEndpoint({ endpoint: 'me:hunter2@127.0.0.1:4443' })).not.toThrow(/hunter2/);
  });

  it('names STORAGE_EMULATOR_HOST when that is the bad value', () => {
    expect(() => resolveEndpoint({ env: env('ftp://x') })).toThrow(/^STORAGE_EMULATOR_HOST /);
  });
});
