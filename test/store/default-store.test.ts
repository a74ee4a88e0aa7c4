import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuthClient } from '../../src/store/auth.js';
import { defaultStore } from '../../src/store/default-store.js';
import { GcsStore } from '../../src/store/gcs-store.js';

const client = (): AuthClient => ({ getRequestHeaders: async () => ({}) });

afterEach(() => vi.unstubAllEnvs());

describe('defaultStore', () => {
  it('shares one store across equivalent options', () => {
    const a = defaultStore({ endpoint: 'http://127.0.0.1:4443' });
    expect(a).toBeInstanceOf(GcsStore);
    expect(defaultStore({ endpoint: 'http://127.0.0.1:4443/' })).toBe(a);
    expect(defaultStore({ endpoint: 'http://127.0.0.1:4443/storage/v1', requestTimeout: 10_000 })).toBe(a);
    const many = Array.from({ length: 1000 }, () => defaultStore({ endpoint: 'http://127.0.0.1:4443' }));
    expect(new Set(many).size).toBe(1);
  });

  it('separates stores by endpoint, timeout and auth client', () => {
    const base = defaultStore({ endpoint: 'http://127.0.0.1:4443' });
    expect(defaultStore({ endpoint: 'http://127.0.0.1:4444' })).not.toBe(base);
    expect(defaultStore({ endpoint: 'http://127.0.0.1:4443', requestTimeout: 5000 })).not.toBe(base);
    const auth = client();
    const withAuth = defaultStore({ endpoint: 'http://127.0.0.1:4443', authClient: auth });
    expect(withAuth).not.toBe(base);
    expect(defaultStore({ endpoint: 'http://127.0.0.1:4443', authClient: auth })).toBe(withAuth);
    expect(defaultStore({ endpoint: 'http://127.0.0.1:4443', authClient: client() })).not.toBe(withAuth);
    expect((withAuth as GcsStore).credentials).toBe('auth-client');
  });

  it('reads STORAGE_EMULATOR_HOST at each call, and such a store never sends credentials', () => {
    vi.stubEnv('STORAGE_EMULATOR_HOST', 'http://127.0.0.1:5555');
    const fromEnv = defaultStore({ authClient: client() }) as GcsStore;
    expect(fromEnv.endpoint).toBe('http://127.0.0.1:5555');
    expect(fromEnv.credentials).toBe('none');
    // The same URL given explicitly is a different decision (credentials allowed), so another store.
    expect(defaultStore({ endpoint: 'http://127.0.0.1:5555' })).not.toBe(defaultStore({}));
    vi.stubEnv('STORAGE_EMULATOR_HOST', '');
    const google = defaultStore({}) as GcsStore;
    expect(google.endpoint).toBe('https://storage.googleapis.com');
    expect(google.credentials).toBe('default');
  });
});
