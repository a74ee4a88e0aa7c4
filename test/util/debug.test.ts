import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { createDebugLog, debugEnabled } from '../../src/util/debug.js';

describe('debugEnabled', () => {
  it.each([
    [{ GCS_LOCK_DEBUG: '1' }, true],
    [{ GCS_LOCK_DEBUG: 'true' }, true],
    [{ GCS_LOCK_DEBUG: 'yes' }, true],
    [{ NODE_DEBUG: 'gcs-lock' }, true],
    [{ NODE_DEBUG: 'http,gcs-lock' }, true],
    [{ NODE_DEBUG: 'net gcs-lock  tls' }, true],
    [{ NODE_DEBUG: 'GCS-LOCK' }, true],
    [{ GCS_LOCK_DEBUG: '0', NODE_DEBUG: 'gcs-lock' }, true],
    [{}, false],
    [{ GCS_LOCK_DEBUG: '' }, false],
    [{ GCS_LOCK_DEBUG: '0' }, false],
    [{ GCS_LOCK_DEBUG: 'false' }, false],
    [{ NODE_DEBUG: 'http,net' }, false],
    [{ NODE_DEBUG: 'gcs-lockx' }, false],
    [{ NODE_DEBUG: 'gcs' }, false],
    [{ NODE_DEBUG: '' }, false],
  ] as const)('%j → %s', (env, enabled) => {
    expect(debugEnabled(env)).toBe(enabled);
  });

  it('reads process.env by default', () => {
    vi.stubEnv('GCS_LOCK_DEBUG', '1');
    expect(debugEnabled()).toBe(true);
    vi.stubEnv('GCS_LOCK_DEBUG', '');
    vi.stubEnv('NODE_DEBUG', '');
    expect(debugEnabled()).toBe(false);
    vi.unstubAllEnvs();
  });
});

describe('createDebugLog', () => {
  let write: MockInstance<typeof process.stderr.write>;

  beforeEach(() => {
    write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2030, 0, 2, 3, 4, 5, 678));
  });

  afterEach(() => {
    vi.useRealTimers();
    write.mockRestore();
    vi.unstubAllEnvs();
  });

  it('when enabled, writes one line to stderr: prefix, pid, time, scope, message', () => {
    const log = createDebugLog('acquire', { GCS_LOCK_DEBUG: '1' });
    log('created gs://bkt/x token 123');
    expect(write).toHaveBeenCalledTimes(1);
    expect(write).toHaveBeenCalledWith(
      `gcs-lock ${process.pid} 2030-01-02T03:04:05.678Z acquire created gs://bkt/x token 123\n`,
    );
  });

  it('when off, writes nothing', () => {
    const log = createDebugLog('acquire', {});
    log('anything');
    expect(write).not.toHaveBeenCalled();
  });

  it('decides once, at creation, from the environment given', () => {
    const log = createDebugLog('refresh', { NODE_DEBUG: 'gcs-lock' });
    vi.stubEnv('NODE_DEBUG', '');
    vi.stubEnv('GCS_LOCK_DEBUG', '');
    log('still on');
    expect(write).toHaveBeenCalledTimes(1);
  });

  it('reads process.env by default', () => {
    vi.stubEnv('GCS_LOCK_DEBUG', '');
    vi.stubEnv('NODE_DEBUG', 'gcs-lock');
    createDebugLog('x')('on');
    vi.stubEnv('NODE_DEBUG', '');
    createDebugLog('x')('off');
    expect(write).toHaveBeenCalledTimes(1);
    expect(write.mock.calls[0]![0]).toMatch(/ x on\n$/);
  });
});
