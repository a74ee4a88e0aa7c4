import type { Preconditions } from '../../store/object-store.js';
import { EngineError, invalid } from './engine-error.js';

/** The parts of a live object that preconditions are judged against. */
export interface Versioned {
  generation: bigint;
  metageneration: bigint;
}

const DECIMAL = /^\d{1,20}$/;

function parse(name: keyof Preconditions, value: string | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  if (!DECIMAL.test(value)) throw invalid(`Invalid argument for ${name}: ${JSON.stringify(value)}.`);
  return BigInt(value);
}

const failed = (name: string): EngineError =>
  new EngineError(
    412,
    'conditionNotMet',
    `At least one of the pre-conditions you specified did not hold (${name}).`,
  );

const notModified = (name: string): EngineError =>
  new EngineError(304, 'notModified', `The pre-condition you specified did not hold (${name}).`);

/**
 * Throws unless `preconditions` hold for `current` (the live version, or `undefined` when there is
 * none). `*Match` failures are 412 `conditionNotMet`, `*NotMatch` failures 304, as GCS documents.
 * `ifGenerationMatch=0` holds only when no live version exists; `ifGenerationNotMatch=0` only when
 * one does. A metageneration condition on a missing object fails its `Match` form.
 */
export function checkPreconditions(current: Versioned | undefined, preconditions: Preconditions = {}): void {
  const generationMatch = parse('ifGenerationMatch', preconditions.ifGenerationMatch);
  const generationNotMatch = parse('ifGenerationNotMatch', preconditions.ifGenerationNotMatch);
  const metagenerationMatch = parse('ifMetagenerationMatch', preconditions.ifMetagenerationMatch);
  const metagenerationNotMatch = parse('ifMetagenerationNotMatch', preconditions.ifMetagenerationNotMatch);
  const generation = current?.generation ?? 0n;

  if (generationMatch !== undefined && generationMatch !== generation) throw failed('ifGenerationMatch');
  if (
    metagenerationMatch !== undefined &&
    (current === undefined || metagenerationMatch !== current.metageneration)
  ) {
    throw failed('ifMetagenerationMatch');
  }
  // "If no live object exists, the precondition fails" (the JSON API reference, for every value).
  if (generationNotMatch !== undefined && (current === undefined || generationNotMatch === generation)) {
    throw notModified('ifGenerationNotMatch');
  }
  if (
    metagenerationNotMatch !== undefined &&
    current !== undefined &&
    metagenerationNotMatch === current.metageneration
  ) {
    throw notModified('ifMetagenerationNotMatch');
  }
}
