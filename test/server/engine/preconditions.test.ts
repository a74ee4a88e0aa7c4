import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/server/engine/engine-error.js';
import { checkPreconditions, type Versioned } from '../../../src/server/engine/preconditions.js';
import type { Preconditions } from '../../../src/store/object-store.js';

const LIVE: Versioned = { generation: 1_700_000_000_000_123n, metageneration: 3n };
const G = LIVE.generation.toString();

function outcome(current: Versioned | undefined, preconditions?: Preconditions): number | 'ok' {
  try {
    checkPreconditions(current, preconditions);
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(EngineError);
    return (error as EngineError).status;
  }
}

describe('checkPreconditions', () => {
  it('passes when none are given', () => {
    expect(outcome(LIVE)).toBe('ok');
    expect(outcome(undefined)).toBe('ok');
    expect(outcome(LIVE, {})).toBe('ok');
  });

  it.each<[string, Preconditions, number | 'ok', number | 'ok']>([
    // [what, preconditions, against the live object, against no object]
    ['ifGenerationMatch=live', { ifGenerationMatch: G }, 'ok', 412],
    ['ifGenerationMatch=other', { ifGenerationMatch: '42' }, 412, 412],
    ['ifGenerationMatch=0', { ifGenerationMatch: '0' }, 412, 'ok'],
    ['ifGenerationNotMatch=live', { ifGenerationNotMatch: G }, 304, 304],
    ['ifGenerationNotMatch=other', { ifGenerationNotMatch: '42' }, 'ok', 304],
    ['ifGenerationNotMatch=0', { ifGenerationNotMatch: '0' }, 'ok', 304],
    ['ifMetagenerationMatch=live', { ifMetagenerationMatch: '3' }, 'ok', 412],
    ['ifMetagenerationMatch=other', { ifMetagenerationMatch: '2' }, 412, 412],
    ['ifMetagenerationNotMatch=live', { ifMetagenerationNotMatch: '3' }, 304, 'ok'],
    ['ifMetagenerationNotMatch=other', { ifMetagenerationNotMatch: '2' }, 'ok', 'ok'],
    [
      'generation and metageneration both hold',
      { ifGenerationMatch: G, ifMetagenerationMatch: '3' },
      'ok',
      412,
    ],
    ['generation holds, metageneration not', { ifGenerationMatch: G, ifMetagenerationMatch: '1' }, 412, 412],
  ])('%s', (_what, preconditions, live, absent) => {
    expect(outcome(LIVE, preconditions)).toBe(live);
    expect(outcome(undefined, preconditions)).toBe(absent);
  });

  it('a failed Match wins over a failed NotMatch: 412, not 304', () => {
    expect(outcome(LIVE, { ifGenerationNotMatch: G, ifMetagenerationMatch: '9' })).toBe(412);
    expect(outcome(LIVE, { ifMetagenerationNotMatch: '3', ifGenerationMatch: '9' })).toBe(412);
  });

  it('names the condition that failed, with GCS reasons', () => {
    const failure = (preconditions: Preconditions): EngineError => {
      try {
        checkPreconditions(LIVE, preconditions);
      } catch (error) {
        return error as EngineError;
      }
      throw new Error('expected a failure');
    };
    expect(failure({ ifGenerationMatch: '1' })).toMatchObject({
      status: 412,
      reason: 'conditionNotMet',
      message: expect.stringContaining('(ifGenerationMatch)') as unknown,
    });
    expect(failure({ ifMetagenerationMatch: '1' }).message).toContain('(ifMetagenerationMatch)');
    expect(failure({ ifGenerationNotMatch: G })).toMatchObject({
      status: 304,
      reason: 'notModified',
      message: expect.stringContaining('(ifGenerationNotMatch)') as unknown,
    });
    expect(failure({ ifMetagenerationNotMatch: '3' }).message).toContain('(ifMetagenerationNotMatch)');
  });

  it('compares generations beyond 2^53 exactly', () => {
    const big: Versioned = { generation: 9_007_199_254_740_993n, metageneration: 1n };
    expect(outcome(big, { ifGenerationMatch: '9007199254740993' })).toBe('ok');
    expect(outcome(big, { ifGenerationMatch: '9007199254740992' })).toBe(412);
  });

  it('accepts leading zeros as the same number', () => {
    expect(outcome(LIVE, { ifMetagenerationMatch: '003' })).toBe('ok');
  });

  it.each([
    ['ifGenerationMatch', '-1'],
    ['ifGenerationNotMatch', '1e3'],
    ['ifMetagenerationMatch', ''],
    ['ifMetagenerationNotMatch', '0x10'],
    ['ifGenerationMatch', '123456789012345678901'],
    ['ifGenerationMatch', '1 '],
  ] as const)('rejects %s=%j with 400 naming the parameter and value', (name, value) => {
    try {
      checkPreconditions(LIVE, { [name]: value });
    } catch (error) {
      expect(error).toMatchObject({ status: 400, reason: 'invalid' });
      expect((error as Error).message).toBe(`Invalid argument for ${name}: ${JSON.stringify(value)}.`);
      return;
    }
    throw new Error('expected a 400');
  });

  it('rejects a malformed value even when another condition already fails', () => {
    expect(outcome(LIVE, { ifGenerationMatch: '1', ifMetagenerationMatch: 'x' })).toBe(400);
  });
});
