/**
 * A refusal by the storage engine, in GCS's terms: the HTTP status and the `errors[0].reason` GCS
 * would send. The server turns it into GCS's JSON error body; `MemoryStore` into a `StorageError`.
 */
export class EngineError extends Error {
  override name = 'EngineError';
  readonly status: number;
  readonly reason: string;

  constructor(status: number, reason: string, message: string) {
    super(message);
    this.status = status;
    this.reason = reason;
  }
}

export const notFound = (what: string): EngineError => new EngineError(404, 'notFound', `No such ${what}.`);

export const invalid = (message: string): EngineError => new EngineError(400, 'invalid', message);
