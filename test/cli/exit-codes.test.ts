import { describe, expect, it } from 'vitest';
import { outcomeExitCode } from '../../src/cli/child.js';
import { describeError } from '../../src/cli/errors.js';
import { EXIT_CODES_HELP, ExitCode, signalExitCode } from '../../src/cli/exit-codes.js';
import { UsageError } from '../../src/cli/args.js';
import { ConfigurationError } from '../../src/errors/configuration-error.js';
import { MalformedLockError } from '../../src/errors/malformed-lock-error.js';
import { StorageError } from '../../src/errors/storage-error.js';

describe('exit codes', () => {
  it('are documented in --help, every one of them', () => {
    for (const code of Object.values(ExitCode))
      expect(EXIT_CODES_HELP).toMatch(new RegExp(`(^|\\s|/)${code}(\\s|/)`, 'm'));
  });

  it('follow the shell for signals: 128 + N', () => {
    expect(signalExitCode('SIGINT')).toBe(130);
    expect(signalExitCode('SIGKILL')).toBe(137);
    expect(signalExitCode('SIGTERM')).toBe(143);
    expect(outcomeExitCode({ kind: 'signaled', signal: 'SIGHUP' })).toBe(129);
    expect(outcomeExitCode({ kind: 'exited', code: 42 })).toBe(42);
    const enoent = Object.assign(new Error('spawn x ENOENT'), { code: 'ENOENT' });
    const eacces = Object.assign(new Error('spawn x EACCES'), { code: 'EACCES' });
    expect(outcomeExitCode({ kind: 'failed-to-start', error: enoent })).toBe(127);
    expect(outcomeExitCode({ kind: 'failed-to-start', error: eacces })).toBe(126);
  });

  it('map errors to codes', () => {
    expect(describeError(new UsageError('x')).exitCode).toBe(64);
    expect(describeError(new ConfigurationError('url', 'bad url')).exitCode).toBe(64);
    expect(describeError(new ConfigurationError('authClient', 'no credentials')).exitCode).toBe(78);
    expect(describeError(new MalformedLockError('gs://b/o', '1', 'no version')).exitCode).toBe(65);
    expect(describeError(new StorageError('GET gs://b/o', 403, 'denied')).exitCode).toBe(77);
    expect(describeError(new StorageError('GET gs://b/o', 503, 'down')).exitCode).toBe(69);
    expect(describeError(new StorageError('GET gs://b/o', undefined, 'reset')).message).toMatch(/--endpoint/);
    expect(describeError(new TypeError('oops')).exitCode).toBe(70);
  });
});
