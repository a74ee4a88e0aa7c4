import { FencedWriteRefusedError } from '../src/errors/fenced-write-refused-error.js';
import { LockLostError } from '../src/errors/lock-lost-error.js';
import { StorageError } from '../src/errors/storage-error.js';
import { fencedWrite } from '../src/lease/fenced-write.js';
import type { Lease } from '../src/lease/lease.js';
import type { ObjectStore } from '../src/store/object-store.js';
import type { Fields } from './process-log.js';

/** The object every holder of a lock writes through the fenced path (one per lock, in the lock's bucket). */
export const reportObject = (lock: string): string => `reports/${lock}`;

export interface ReportWrite {
  store: ObjectStore;
  bucket: string;
  /** The lock's name in the history, and its object. */
  lock: string;
  lockObject: string;
  lease: Lease;
  id: string;
  /**
   * A zombie writes after its lease ended, on purpose: through the lease if it still lets it, else
   * through the low-level `fencedWrite` with the lease's old generation, so that a request reaches GCS
   * and GCS is what refuses it. A holder's own write is guarded (`guard` reads the time, then checks
   * the lease).
   */
  zombie: boolean;
  guard: () => number;
  emit: (fields: Fields, mono?: number) => void;
}

/**
 * One fenced write of the lock's report object (stage, compose pinned to the lock's generation,
 * delete the staged data), recorded as it goes: sent, then accepted, refused or unknown. The
 * destination's metadata names the write (`writer`), so that the server's stamp of the compose can be
 * matched with these events.
 */
export async function writeReport(write: ReportWrite): Promise<void> {
  const { lease, lock, id, emit } = write;
  const token = lease.token;
  const via = write.zombie && lease.lost ? 'fence' : 'lease';
  const mono = write.zombie ? undefined : write.guard();
  emit(
    { type: 'fenced-write-sent', lock, token, id, generation: lease.generation, zombie: write.zombie, via },
    mono,
  );
  const data = JSON.stringify({ token, writer: id });
  const options = { contentType: 'application/json', metadata: { writer: id } };
  try {
    if (via === 'lease') await lease.fencedWrite(reportObject(lock), data, options);
    else {
      const fence = {
        store: write.store,
        bucket: write.bucket,
        lockObject: write.lockObject,
        generation: lease.generation,
        token,
      };
      await fencedWrite(fence, reportObject(lock), data, options);
    }
    emit({ type: 'fenced-write-accepted', lock, token, id });
  } catch (error) {
    if (error instanceof FencedWriteRefusedError || error instanceof LockLostError) {
      const reason = error instanceof FencedWriteRefusedError ? error.reason : `lost: ${error.reason}`;
      emit({ type: 'fenced-write-refused', lock, token, id, reason });
    } else if (error instanceof StorageError && error.status === 429) {
      // The destination's own write budget (GCS's per-object rate limit): refused, nothing written.
      emit({ type: 'fenced-write-refused', lock, token, id, reason: 'rate-limited' });
    } else {
      emit({ type: 'fenced-write-unknown', lock, token, id, error: String(error) });
    }
  }
}
