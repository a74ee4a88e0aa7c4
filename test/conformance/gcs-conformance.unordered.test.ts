/**
 * The conformance suite again, on a local server that hands out generations in no particular order
 * (`generations: 'unordered'`), as GCS documents them: unique, not increasing. Nothing in the suite may
 * rest on their order, and nothing in the lock does (issue 12).
 */
import { describe, expect, it } from 'vitest';
import { created, name, REMOTE } from './target.js';

process.env['GCS_CONFORMANCE_GENERATIONS'] = 'unordered';
await import('./gcs-conformance.test.js');

describe.skipIf(REMOTE !== undefined)('the unordered server', () => {
  it('really hands out generations out of order (else this file tests nothing new)', async () => {
    const generations: bigint[] = [];
    for (let i = 0; i < 12; i++)
      generations.push(BigInt(String((await created(name(`order-${i}`))).generation)));
    expect(generations.some((generation, i) => i > 0 && generation < generations[i - 1]!)).toBe(true);
  });
});
