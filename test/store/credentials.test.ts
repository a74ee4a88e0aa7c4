import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from '../../src/errors/configuration-error.js';
import type { AuthClient } from '../../src/store/auth.js';
import { redact, scrubTokens } from '../../src/store/credentials.js';
import { GcsStore } from '../../src/store/gcs-store.js';
import { json, resource, startStub } from './stub-server.js';

const TOKEN = 'SECRET-TOKEN-123';
type Stub = Awaited<ReturnType<typeof startStub>>;
let stub: Stub;

beforeAll(async () => {
  stub = await startStub((_, res) => json(res, 200, resource('l')));
});
afterAll(async () => stub.close());
afterEach(() => {
  stub.requests.length = 0;
  stub.setHandler((_, res) => json(res, 200, resource('l')));
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

const fakeAuth = (shape: 'headers' | 'object' | 'map' = 'headers'): AuthClient => ({
  getRequestHeaders: async () => {
    const entries: Array<[string, string]> = [['Authorization', `Bearer ${TOKEN}`]];
    if (shape === 'headers') return new Headers(entries);
    if (shape === 'map') return new Map(entries);
    return Object.fromEntries(entries);
  },
});

function everyRendering(error: unknown): string {
  const e = error as Error;
  return [e.message, e.stack, JSON.stringify(e), inspect(e, { depth: 10 }), String(e)].join('\n');
}

describe('user-supplied auth client', () => {
  it.each(['headers', 'object', 'map'] as const)(
    'sends the Authorization header from a %s',
    async (shape) => {
      await new GcsStore({ endpoint: stub.url, authClient: fakeAuth(shape) }).get('my-bucket', 'l');
      expect(stub.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    },
  );

  it('never puts the token in an error, even when the server echoes it back', async () => {
    const store = new GcsStore({ endpoint: stub.url, authClient: fakeAuth() });
    const echo = (r: { headers: Record<string, unknown> }) => String(r.headers['authorization']);
    const answers: Array<Parameters<Stub['setHandler']>[0]> = [
      (r, res) => json(res, 403, { error: { code: 403, message: `denied for ${echo(r)}` } }),
      (r, res) =>
        json(res, 500, {
          error: { code: 500, message: `token ${TOKEN} rejected`, errors: [{ reason: echo(r) }] },
        }),
      (r, res) => res.writeHead(500).end(`\x00garbage ${echo(r)} \xff`),
      (r, res) => res.writeHead(200).end(`not json ${echo(r)}`),
      // A redirect whose location carries the token in its path or as userinfo.
      (r, res) => res.writeHead(302, { location: `${stub.url}/${echo(r).split(' ')[1]}/elsewhere` }).end(),
      (r, res) => res.writeHead(307, { location: `http://${echo(r).split(' ')[1]}@example.invalid/x` }).end(),
      (_, res) => res.socket?.destroy(),
    ];
    let errors = 0;
    for (const answer of answers) {
      stub.setHandler(answer);
      const error = await store.get('my-bucket', 'l').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(everyRendering(error)).not.toContain(TOKEN);
      errors += 1;
    }
    expect(errors).toBe(answers.length);
    expect(stub.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('an auth client that throws with the token in its message: no token in the StorageError', async () => {
    const store = new GcsStore({
      endpoint: stub.url,
      authClient: { getRequestHeaders: () => Promise.reject(new Error(`refresh failed: Bearer ${TOKEN}`)) },
    });
    const error = await store.get('my-bucket', 'l').catch((e: unknown) => e);
    expect(everyRendering(error)).not.toContain(TOKEN);
    expect(stub.requests).toHaveLength(0);
  });
});

describe('which endpoints get credentials', () => {
  it('STORAGE_EMULATOR_HOST: none, even with an authClient (as the official client)', async () => {
    vi.stubEnv('STORAGE_EMULATOR_HOST', stub.url);
    const store = new GcsStore({ authClient: fakeAuth() });
    expect(store.credentials).toBe('none');
    await store.get('my-bucket', 'l');
    expect(stub.requests[0]!.headers.authorization).toBeUndefined();
  });

  it('an explicit non-Google endpoint without authClient: none, and ADC is never loaded', async () => {
    const authFactory = vi.fn(() => Promise.resolve(fakeAuth()));
    const store = new GcsStore({ endpoint: stub.url, authFactory });
    await store.get('my-bucket', 'l');
    expect(authFactory).not.toHaveBeenCalled();
    expect(stub.requests[0]!.headers.authorization).toBeUndefined();
  });

  it("Google's endpoint without authClient: Application Default Credentials", () => {
    expect(new GcsStore({ endpoint: 'https://storage.googleapis.com' }).credentials).toBe('default');
    expect(new GcsStore({}).credentials).toBe('default');
  });
});

describe('missing Application Default Credentials', () => {
  it('becomes a ConfigurationError listing where ADC looks, with no request made', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const store = new GcsStore({
      authFactory: async () => ({
        getRequestHeaders: () =>
          Promise.reject(
            new Error('Could not load the default credentials. Browse to https://cloud.google.com/docs'),
          ),
      }),
    });
    const error = await store.get('my-bucket', 'l').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    expect(message).toContain('GOOGLE_APPLICATION_CREDENTIALS');
    expect(message).toContain('gcloud auth application-default login');
    expect(message).toContain('metadata server');
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('with the real google-auth-library and a nonexistent key file: ConfigurationError, no network', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'gcs-lock-adc-'));
    vi.stubEnv('GOOGLE_APPLICATION_CREDENTIALS', join(empty, 'missing-key.json'));
    vi.stubEnv('CLOUDSDK_CONFIG', empty);
    // Belt and braces: should the library reach for the metadata server, it finds nothing there.
    vi.stubEnv('METADATA_SERVER_DETECTION', 'none');
    vi.stubEnv('GCE_METADATA_HOST', '127.0.0.1:1');
    vi.stubEnv('STORAGE_EMULATOR_HOST', '');
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const error = await new GcsStore({}).get('my-bucket', 'l').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain('missing-key.json');
    expect((error as Error).message).toContain('gcloud auth application-default login');
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});

describe('scrubbing helpers', () => {
  it('redacts exact secrets and token-shaped strings', () => {
    expect(redact(`x Bearer ${TOKEN} y ${TOKEN}`, [`Bearer ${TOKEN}`, TOKEN])).toBe(
      'x [REDACTED] y [REDACTED]',
    );
    expect(scrubTokens('auth: Bearer abc.def and ya29.A0xyz')).toBe('auth: Bearer [REDACTED] and [REDACTED]');
  });
});
