import { StorageError } from '../errors/storage-error.js';
import { verdict, type DoctorCheck, type DoctorContext } from './types.js';

/** What a lock needs on its bucket: grant, read, refresh/release, and replace (a takeover deletes). */
export const LOCK_PERMISSIONS = [
  'storage.objects.create',
  'storage.objects.get',
  'storage.objects.update',
  'storage.objects.delete',
] as const;

/** Fair-mode waiters list the queue of tickets next to the lock; `gcs-lock list` lists too. */
export const LIST_PERMISSION = 'storage.objects.list';

const ROLE_FIX = (bucket: string): string =>
  `gcloud storage buckets add-iam-policy-binding gs://${bucket} --member=PRINCIPAL --role=roles/storage.objectUser`;

/**
 * Asks GCS which of the lock's permissions the caller holds (`testIamPermissions`: one read, which
 * itself needs no permission), without writing anything.
 */
export async function checkPermissions(ctx: DoctorContext): Promise<DoctorCheck> {
  const { store, bucket, settings } = ctx;
  const title = 'permissions';
  if (!store.testIamPermissions) {
    return verdict(
      'permissions',
      title,
      'skip',
      'this store cannot test permissions (no testIamPermissions)',
    );
  }
  const wanted = [...LOCK_PERMISSIONS, LIST_PERMISSION];
  let held: string[];
  try {
    held = await store.testIamPermissions(bucket, wanted, { ...(ctx.signal && { signal: ctx.signal }) });
  } catch (error) {
    if (!(error instanceof StorageError)) throw error;
    return verdict('permissions', title, 'fail', `could not test permissions: ${error.message}`, {
      fix: 'check the credentials (gcloud auth list) and the bucket name',
      details: { status: error.status ?? null },
    });
  }
  const missing = LOCK_PERMISSIONS.filter((permission) => !held.includes(permission));
  const listMissing = !held.includes(LIST_PERMISSION);
  const details = { held: wanted.filter((p) => held.includes(p)), missing: [...missing] as string[] };
  if (missing.length > 0) {
    return verdict(
      'permissions',
      title,
      'fail',
      `the caller lacks ${missing.join(', ')} on gs://${bucket}: ${consequences(missing)}`,
      { fix: ROLE_FIX(bucket), details },
    );
  }
  if (listMissing) {
    if (settings.fair) details.missing.push(LIST_PERMISSION);
    return verdict(
      'permissions',
      title,
      settings.fair ? 'fail' : 'warn',
      settings.fair
        ? `the caller has the four lock permissions but not ${LIST_PERMISSION}: in fair mode (the default) a ` +
            'waiter lists the queue next to the lock, so a contended acquire fails with 403'
        : `the caller has the four lock permissions; without ${LIST_PERMISSION}, \`gcs-lock list\` fails`,
      { fix: `${ROLE_FIX(bucket)} (it includes ${LIST_PERMISSION})`, details },
    );
  }
  return verdict(
    'permissions',
    title,
    'pass',
    `the caller holds storage.objects.create, get, update, delete and list on gs://${bucket}`,
    { details },
  );
}

function consequences(missing: readonly string[]): string {
  const what: Record<string, string> = {
    'storage.objects.create': 'no lock can be acquired',
    'storage.objects.get': 'no waiter can read the lock',
    'storage.objects.update': 'no lease can be refreshed or released',
    'storage.objects.delete': 'no lock can be acquired a second time (every later grant replaces it)',
  };
  return missing.map((permission) => what[permission]).join('; ');
}
