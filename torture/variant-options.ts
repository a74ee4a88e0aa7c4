import type { RunVariant } from './run-variant.js';

/** `--generations`, `--versioned`, `--unfair`, `--counter-token`: parseArgs options of run.ts. */
export const VARIANT_OPTIONS = {
  generations: { type: 'string', default: 'increasing' },
  versioned: { type: 'boolean', default: false },
  unfair: { type: 'boolean', default: false },
  'counter-token': { type: 'string', default: 'fence' },
} as const;

/** The variant the options ask for, checked: a bad value names the option and what is valid. */
export function parseVariant(values: {
  generations?: string;
  versioned?: boolean;
  unfair?: boolean;
  'counter-token'?: string;
}): RunVariant {
  const generations = values.generations ?? 'increasing';
  if (generations !== 'increasing' && generations !== 'unordered') {
    throw new Error(`--generations must be increasing or unordered, got ${JSON.stringify(generations)}`);
  }
  const counterToken = values['counter-token'] ?? 'fence';
  if (counterToken !== 'fence' && counterToken !== 'generation') {
    throw new Error(`--counter-token must be fence or generation, got ${JSON.stringify(counterToken)}`);
  }
  return { generations, versioned: values.versioned ?? false, fair: !values.unfair, counterToken };
}
