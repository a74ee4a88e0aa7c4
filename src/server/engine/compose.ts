import type { EngineBucket } from './types.js';
import { EngineError, invalid } from './engine-error.js';
import { checkPreconditions } from './preconditions.js';
import { findVersion, parseGeneration } from './versions.js';

/**
 * One source of a compose, as the JSON API's `sourceObjects[]` names it: an object, optionally one
 * version of it, optionally pinned with `ifGenerationMatch`.
 *
 * @example
 * ```ts
 * const source: ComposeSource = { name: 'fence', ifGenerationMatch: '1718000000000001' };
 * ```
 */
export interface ComposeSource {
  name: string;
  generation?: string;
  ifGenerationMatch?: string;
}

/** GCS composes at most 32 sources in one request, into an object of at most 1024 components. */
export const MAX_COMPOSE_SOURCES = 32;
export const MAX_COMPONENTS = 1024;

/**
 * Checks every source and returns the composite's data and component count. Nothing changes here:
 * the caller commits. A source that is missing is a 404, a failed source precondition a 412.
 */
export function composeSources(
  bucket: EngineBucket,
  sources: readonly ComposeSource[],
): { data: Buffer; componentCount: number } {
  if (sources.length === 0) {
    throw new EngineError(400, 'required', 'Required field: sourceObjects: at least one source object.');
  }
  if (sources.length > MAX_COMPOSE_SOURCES) {
    throw invalid(
      `The number of source components provided (${sources.length}) exceeds the maximum (${MAX_COMPOSE_SOURCES}).`,
    );
  }
  const parts: Buffer[] = [];
  let componentCount = 0;
  for (const [index, source] of sources.entries()) {
    if (typeof source?.name !== 'string' || source.name === '') {
      throw new EngineError(400, 'required', `Required field: sourceObjects[${index}].name.`);
    }
    const generation = parseGeneration(source.generation);
    const pinned = parseGeneration(source.ifGenerationMatch);
    if (generation !== undefined && pinned !== undefined && generation !== pinned) {
      throw invalid(
        `sourceObjects[${index}]: generation ${generation} and objectPreconditions.ifGenerationMatch ${pinned} differ.`,
      );
    }
    let version;
    try {
      version = findVersion(bucket, source.name, generation);
    } catch (error) {
      if (!(error instanceof EngineError) || error.status !== 404) throw error;
      throw new EngineError(404, 'notFound', `Object ${bucket.name}/${source.name} not found.`);
    }
    if (pinned !== undefined) checkPreconditions(version, { ifGenerationMatch: pinned.toString() });
    parts.push(version.data);
    componentCount += version.componentCount ?? 1;
  }
  if (componentCount > MAX_COMPONENTS) {
    throw invalid(`The composite would have ${componentCount} components, the maximum is ${MAX_COMPONENTS}.`);
  }
  return { data: Buffer.concat(parts), componentCount };
}
