import { ConfigurationError } from '../errors/configuration-error.js';
import { defaultStore } from '../store/default-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { formatLockUrl, parseLockUrl } from '../util/lock-url.js';
import { bucketNameProblem, objectNameProblem } from '../util/names.js';
import { createDebugLog } from '../util/debug.js';
import { createContext, type LockContext } from './context.js';
import { nameStateFor } from './name-state.js';
import type { ResolvedLockOptions, StorageOptions } from './options.js';
import { checkWriteInterval } from './resolve-options.js';

/** Where a primitive lives: one object name in one bucket (a lock object, an election, a semaphore). */
export interface Target {
  bucket: string;
  object: string;
  /** `gs://bucket/object`. */
  url: string;
}

/**
 * What every primitive's constructor takes: `gs://bucket/object` and options, or `{ bucket, object,
 * ...options }` alone. Returns the target and the options to use; throws `ConfigurationError` for a
 * bad URL or name, naming `what` (`Lock`, `Election`, `Semaphore`) and a valid call.
 */
export function resolveTarget<O extends object>(
  what: string,
  target: string | (O & { bucket: string; object: string }),
  options: O,
): { target: Target; options: O } {
  let bucket: string;
  let object: string;
  if (typeof target === 'string') {
    ({ bucket, object } = parseLockUrl(target));
  } else if (target !== null && typeof target === 'object') {
    ({ bucket, object } = target);
    options = target;
    checkName('bucket', bucket, bucketNameProblem);
    checkName('object', object, objectNameProblem);
  } else {
    throw new ConfigurationError(
      'url',
      `new ${what}() needs a URL like "gs://my-bucket/locks/name", or { bucket, object }`,
    );
  }
  return { target: { bucket, object, url: formatLockUrl(bucket, object) }, options };
}

/**
 * The store a primitive talks to: the one given, or the shared default for its endpoint and
 * credentials. Refuses a refresh interval shorter than that store sustains between writes.
 */
export function openStore(options: StorageOptions, resolved: ResolvedLockOptions): ObjectStore {
  const store =
    options.store ??
    defaultStore({
      endpoint: options.endpoint,
      authClient: options.authClient,
      requestTimeout: resolved.requestTimeout,
    });
  checkWriteInterval(resolved, store.writeInterval);
  return store;
}

/** The context of one object of a primitive: the lock object, an election, or one semaphore slot. */
export function openContext(
  target: Target,
  options: ResolvedLockOptions,
  store: ObjectStore,
  extra: Pick<LockContext, 'kind' | 'candidate'> = {},
): LockContext {
  const { bucket, object, url } = target;
  return createContext({
    store,
    bucket,
    object,
    url,
    options,
    debug: createDebugLog(url),
    name: nameStateFor(store, bucket, object),
    ...extra,
  });
}

function checkName(option: string, value: unknown, problem: (name: string) => string | undefined): void {
  const why = typeof value === 'string' ? problem(value) : 'must be a string';
  if (why)
    throw new ConfigurationError(option, `${option} name ${JSON.stringify(value)} is invalid: it ${why}`);
}
