import { describe, expect, it } from 'vitest';
import { StorageEngine } from '../../../src/server/engine/engine.js';
import { generationsFor } from '../../../src/server/engine/generations.js';

describe('generations', () => {
  it("'increasing' (the default) gives strictly increasing generations across the server", () => {
    const engine = new StorageEngine({ buckets: ['bkt1'] });
    const generations = Array.from(
      { length: 50 },
      (_, i) => engine.insertObject('bkt1', `o${i % 3}`, { data: Buffer.from('x') }).generation,
    );
    for (let i = 1; i < generations.length; i++) expect(generations[i]!).toBeGreaterThan(generations[i - 1]!);
  });

  it("'unordered' gives unique 16-digit generations in no order, for one name too", () => {
    const engine = new StorageEngine({ buckets: ['bkt1'], generations: 'unordered' });
    const generations = Array.from(
      { length: 200 },
      () => engine.insertObject('bkt1', 'same', { data: Buffer.from('x') }).generation,
    );
    for (const generation of generations) expect(generation.toString()).toMatch(/^[1-9]\d{15}$/);
    expect(new Set(generations).size).toBe(generations.length);
    // Uniform draws: the chance that 199 successive pairs never decrease is 2^-199.
    expect(generations.some((generation, i) => i > 0 && generation < generations[i - 1]!)).toBe(true);
  });

  it("'unordered' never hands out a generation it has seen restored", () => {
    const generations = generationsFor('unordered');
    const restored = generations.next(0);
    generations.note(restored);
    for (let i = 0; i < 1000; i++) expect(generations.next(0)).not.toBe(restored);
  });

  it('anything else is refused, naming the valid values', () => {
    expect(() => new StorageEngine({ generations: 'random' as 'unordered' })).toThrow(
      /'increasing' or 'unordered', got "random"/,
    );
  });
});
