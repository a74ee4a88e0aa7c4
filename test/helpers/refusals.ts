import { expect } from 'vitest';
import { StorageError } from '../../src/errors/storage-error.js';
import { EngineError } from '../../src/server/engine/engine-error.js';

/** Awaits `promise`, expecting it to reject with a `StorageError`, and returns that error. */
export async function storageRefusal(promise: Promise<unknown>): Promise<StorageError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(StorageError);
    return error as StorageError;
  }
  throw new Error('expected a StorageError');
}

/** Runs `fn`, expecting it to throw an `EngineError`, and returns that error. */
export function engineRefusal(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(EngineError);
    return error as EngineError;
  }
  throw new Error('expected an EngineError');
}
