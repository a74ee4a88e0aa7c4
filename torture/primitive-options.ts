import { DEFAULT_PERMITS, PRIMITIVES, type Primitive } from './primitives.js';

/** `--primitive lock|election|semaphore [--permits N]`, checked. */
export function parsePrimitive(
  text: string | undefined,
  permitsText: string | undefined,
): { primitive: Primitive; permits: number } {
  const primitive = (text ?? 'lock') as Primitive;
  if (!PRIMITIVES.includes(primitive)) {
    throw new Error(`--primitive must be one of ${PRIMITIVES.join(', ')}, got ${JSON.stringify(text)}`);
  }
  if (permitsText !== undefined && primitive !== 'semaphore') {
    throw new Error('--permits is for --primitive semaphore');
  }
  const permits = permitsText === undefined ? DEFAULT_PERMITS : Number(permitsText);
  if (!Number.isInteger(permits) || permits < 1 || permits > 1000) {
    throw new Error(`--permits must be a whole number from 1 to 1000, got ${JSON.stringify(permitsText)}`);
  }
  return { primitive, permits };
}
