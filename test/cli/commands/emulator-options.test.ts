import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/cli/args.js';
import {
  exposureWarning,
  isLoopback,
  listenFailure,
  parseSize,
} from '../../../src/cli/commands/emulator-options.js';

describe('emulator options', () => {
  it('sizes: bytes, KiB, MiB, GiB; anything else is a usage error naming the flag', () => {
    expect(parseSize('--max-object-size', '1024')).toBe(1024);
    expect(parseSize('--max-object-size', '64MiB')).toBe(64 * 1024 * 1024);
    expect(parseSize('--max-object-size', '2gib')).toBe(2 * 1024 ** 3);
    for (const bad of ['', '0', '-1', '1.5MiB', '1MB', 'lots']) {
      expect(() => parseSize('--max-object-size', bad)).toThrow(UsageError);
    }
  });

  it('warns on any address but loopback, and says what to do about the control endpoint', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(isLoopback(host)).toBe(true);
    expect(exposureWarning('127.0.0.1', true, false)).toBeUndefined();
    const open = exposureWarning('0.0.0.0', true, false);
    expect(open).toMatch(/listening on 0\.0\.0\.0, not a loopback address/);
    expect(open).toMatch(/--control off or set GCS_LOCK_CONTROL_TOKEN/);
    expect(exposureWarning('::', true, true)).not.toMatch(/_gcs-lock/);
    expect(exposureWarning('192.168.1.5', false, false)).toMatch(/read and change every object\. Listen/);
  });

  it('maps listen errors to one line and exit 71; other errors are not listen failures', () => {
    const failure = listenFailure(Object.assign(new Error('x'), { code: 'EACCES' }), '127.0.0.1', 80);
    expect(failure).toEqual({
      message: 'emulator: no permission to listen on 127.0.0.1:80: use a port above 1023',
      exitCode: 71,
    });
    expect(listenFailure(new TypeError('bug'), '127.0.0.1', 1)).toBeUndefined();
  });
});
