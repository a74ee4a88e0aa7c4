import { invalid } from './engine-error.js';

/** GCS's limit on custom metadata: 8 KiB in all, keys and values counted in UTF-8 bytes. */
export const MAX_METADATA_BYTES = 8 * 1024;
/** And at most 1 KiB per key, 4 KiB per value. */
export const MAX_METADATA_KEY_BYTES = 1024;
export const MAX_METADATA_VALUE_BYTES = 4 * 1024;

export function checkMetadata(metadata: Record<string, string>): void {
  let bytes = 0;
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string')
      throw invalid(`Invalid value for metadata key '${key}': must be a string.`);
    const keyBytes = Buffer.byteLength(key);
    const valueBytes = Buffer.byteLength(value);
    if (keyBytes > MAX_METADATA_KEY_BYTES) {
      throw invalid(`Metadata key is too large: ${keyBytes} bytes, the limit is ${MAX_METADATA_KEY_BYTES}.`);
    }
    if (valueBytes > MAX_METADATA_VALUE_BYTES) {
      throw invalid(
        `Metadata value for '${key}' is too large: ${valueBytes} bytes, the limit is ${MAX_METADATA_VALUE_BYTES}.`,
      );
    }
    bytes += keyBytes + valueBytes;
  }
  if (bytes > MAX_METADATA_BYTES) {
    throw invalid(
      `Metadata part is too large: ${bytes} bytes of custom metadata, the limit is ${MAX_METADATA_BYTES}.`,
    );
  }
}

export function mergeMetadata(
  current: Record<string, string>,
  patch: Record<string, string | null> | null | undefined,
): Record<string, string> {
  if (patch === undefined) return current;
  if (patch === null) return {};
  // A Map, then fromEntries: plain assignment of a key such as "__proto__" would hit the prototype
  // setter and silently drop it.
  const merged = new Map(Object.entries(current));
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) merged.delete(key);
    else merged.set(key, value);
  }
  return Object.fromEntries(merged);
}
