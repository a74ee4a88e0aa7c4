import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, FaultPlan, type FaultRule } from '../../src/server/fault-plan.js';

/** A `random` that returns the given values in turn (and fails the test when they run out). */
function sequence(...values: number[]): () => number {
  return () => {
    const next = values.shift();
    if (next === undefined) throw new Error('random() called more often than expected');
    return next;
  };
}

const GET = { op: 'get', bucket: 'bkt', object: 'locks/a' } as const;

describe('FaultPlan', () => {
  it('with no rules, every request is served at once', () => {
    const plan = new FaultPlan({ random: sequence() });
    expect(plan.decide(GET)).toEqual({ delayMs: 0, outcome: 'ok' });
    expect(plan.rules()).toEqual([]);
  });

  it('lists every fault kind', () => {
    expect([...FAULT_KINDS].sort()).toEqual(['commit-then-drop', 'error', 'latency', 'reset', 'stall']);
  });

  describe('matching', () => {
    it('by operation', () => {
      const plan = new FaultPlan();
      plan.add({ kind: 'reset', ops: ['patch', 'delete'] });
      expect(plan.decide(GET).outcome).toBe('ok');
      expect(plan.decide({ ...GET, op: 'insert' }).outcome).toBe('ok');
      expect(plan.decide({ ...GET, op: 'patch' }).outcome).toBe('reset');
      expect(plan.decide({ ...GET, op: 'delete' }).outcome).toBe('reset');
    });

    it('by exact object name', () => {
      const plan = new FaultPlan();
      plan.add({ kind: 'reset', object: 'locks/a' });
      expect(plan.decide(GET).outcome).toBe('reset');
      expect(plan.decide({ ...GET, object: 'locks/ab' }).outcome).toBe('ok');
      expect(plan.decide({ ...GET, object: 'locks' }).outcome).toBe('ok');
      expect(plan.decide({ op: 'list', bucket: 'bkt' }).outcome).toBe('ok');
    });

    it('by object prefix', () => {
      const plan = new FaultPlan();
      plan.add({ kind: 'reset', objectPrefix: 'locks/' });
      expect(plan.decide(GET).outcome).toBe('reset');
      expect(plan.decide({ ...GET, object: 'locks/' }).outcome).toBe('reset');
      expect(plan.decide({ ...GET, object: 'lock' }).outcome).toBe('ok');
      expect(plan.decide({ ...GET, object: 'x/locks/a' }).outcome).toBe('ok');
      expect(plan.decide({ op: 'bucket', bucket: 'bkt' }).outcome).toBe('ok');
    });

    it('by all of ops, object and prefix at once', () => {
      const plan = new FaultPlan();
      plan.add({ kind: 'reset', ops: ['get'], object: 'locks/a', objectPrefix: 'locks/' });
      expect(plan.decide(GET).outcome).toBe('reset');
      expect(plan.decide({ ...GET, op: 'patch' }).outcome).toBe('ok');
      expect(plan.decide({ ...GET, object: 'locks/b' }).outcome).toBe('ok');
    });

    it('a rule with no filter matches every request, bucket operations included', () => {
      const plan = new FaultPlan();
      plan.add({ kind: 'reset' });
      for (const op of ['insert', 'get', 'patch', 'delete', 'list', 'bucket'] as const) {
        expect(plan.decide({ op }).outcome).toBe('reset');
      }
    });
  });

  describe('outcomes', () => {
    it('error: status defaults to 503', () => {
      const plan = new FaultPlan();
      plan.add({ kind: 'error', count: 1 });
      plan.add({ kind: 'error', status: 429 });
      expect(plan.decide(GET)).toEqual({ delayMs: 0, outcome: 'error', status: 503 });
      expect(plan.decide(GET)).toEqual({ delayMs: 0, outcome: 'error', status: 429 });
    });

    it('stall: stallMs defaults to 30 s', () => {
      const plan = new FaultPlan();
      plan.add({ kind: 'stall', count: 1 });
      plan.add({ kind: 'stall', stallMs: 50 });
      expect(plan.decide(GET)).toEqual({ delayMs: 0, outcome: 'stall', stallMs: 30_000 });
      expect(plan.decide(GET)).toEqual({ delayMs: 0, outcome: 'stall', stallMs: 50 });
    });

    it('reset and commit-then-drop', () => {
      const plan = new FaultPlan();
      plan.add({ kind: 'commit-then-drop', ops: ['insert'] });
      plan.add({ kind: 'reset', ops: ['get'] });
      expect(plan.decide({ ...GET, op: 'insert' })).toEqual({ delayMs: 0, outcome: 'commit-then-drop' });
      expect(plan.decide(GET)).toEqual({ delayMs: 0, outcome: 'reset' });
    });

    it('latency: fixed delay plus random() times the jitter', () => {
      const plan = new FaultPlan({ random: sequence(0.5, 0, 1) });
      plan.add({ kind: 'latency', latencyMs: 100, jitterMs: 40 });
      expect(plan.decide(GET)).toEqual({ delayMs: 120, outcome: 'ok' });
      expect(plan.decide(GET).delayMs).toBe(100);
      expect(plan.decide(GET).delayMs).toBe(140);
    });

    it('latency rules add up, and combine with another outcome', () => {
      const plan = new FaultPlan({ random: sequence(0, 0) });
      plan.add({ kind: 'latency', latencyMs: 100 });
      plan.add({ kind: 'error', status: 500 });
      plan.add({ kind: 'latency', latencyMs: 25 });
      expect(plan.decide(GET)).toEqual({ delayMs: 125, outcome: 'error', status: 500 });
    });

    it('the first matching non-latency rule wins; later ones are not spent', () => {
      const plan = new FaultPlan();
      plan.add({ kind: 'reset', ops: ['patch'] });
      const first = plan.add({ kind: 'error', status: 429, count: 1 });
      plan.add({ kind: 'stall', count: 1 });
      expect(plan.decide(GET)).toEqual({ delayMs: 0, outcome: 'error', status: 429 });
      expect(plan.rules().map((r) => r.id)).not.toContain(first);
      expect(plan.decide(GET)).toMatchObject({ outcome: 'stall' });
      expect(plan.decide(GET)).toEqual({ delayMs: 0, outcome: 'ok' });
      expect(plan.delivered).toMatchObject({ error: 1, stall: 1, reset: 0 });
    });
  });

  describe('count and rate', () => {
    it('count hits only the next N matching requests, then the rule retires', () => {
      const plan = new FaultPlan();
      const id = plan.add({ kind: 'error', ops: ['patch'], count: 2 });
      expect(plan.rules()).toEqual([{ kind: 'error', ops: ['patch'], count: 2, id, remaining: 2 }]);
      expect(plan.decide(GET).outcome).toBe('ok'); // not matching: not counted
      expect(plan.decide({ ...GET, op: 'patch' }).outcome).toBe('error');
      expect(plan.rules()[0]!.remaining).toBe(1);
      expect(plan.decide({ ...GET, op: 'patch' }).outcome).toBe('error');
      expect(plan.rules()).toEqual([]);
      expect(plan.decide({ ...GET, op: 'patch' }).outcome).toBe('ok');
    });

    it('skip lets the first N matching requests through before the rule hits', () => {
      const plan = new FaultPlan();
      plan.add({ kind: 'error', status: 503, ops: ['patch'], skip: 1, count: 2 });
      expect(plan.decide(GET).outcome).toBe('ok'); // not matching: not skipped either
      expect(plan.decide({ ...GET, op: 'patch' }).outcome).toBe('ok');
      expect(plan.decide({ ...GET, op: 'patch' }).outcome).toBe('error');
      expect(plan.decide({ ...GET, op: 'patch' }).outcome).toBe('error');
      expect(plan.decide({ ...GET, op: 'patch' }).outcome).toBe('ok');
      expect(plan.delivered.error).toBe(2);
      expect(() => plan.add({ kind: 'reset', skip: 1.5 })).toThrow(/skip must be a whole number/);
    });

    it('without count a rule stays, reported with remaining null', () => {
      const plan = new FaultPlan();
      plan.add({ kind: 'reset' });
      for (let i = 0; i < 5; i++) plan.decide(GET);
      expect(plan.rules()).toMatchObject([{ kind: 'reset', remaining: null }]);
    });

    it('rate hits a request when random() falls below it', () => {
      const plan = new FaultPlan({ random: sequence(0.29, 0.3, 0.99, 0) });
      plan.add({ kind: 'reset', rate: 0.3 });
      expect(plan.decide(GET).outcome).toBe('reset');
      expect(plan.decide(GET).outcome).toBe('ok');
      expect(plan.decide(GET).outcome).toBe('ok');
      expect(plan.decide(GET).outcome).toBe('reset');
      expect(plan.delivered.reset).toBe(2);
    });

    it('a request the rate spares does not use up the count', () => {
      const plan = new FaultPlan({ random: sequence(0.9, 0.1) });
      plan.add({ kind: 'error', rate: 0.5, count: 1 });
      expect(plan.decide(GET).outcome).toBe('ok');
      expect(plan.rules()[0]!.remaining).toBe(1);
      expect(plan.decide(GET).outcome).toBe('error');
      expect(plan.rules()).toEqual([]);
    });

    it('rate 1 (and the default) never asks random(); rate 0 never hits', () => {
      const always = new FaultPlan({ random: sequence() });
      always.add({ kind: 'reset', rate: 1 });
      always.add({ kind: 'reset' });
      expect(always.decide(GET).outcome).toBe('reset');
      const never = new FaultPlan({ random: sequence(0, 0) });
      never.add({ kind: 'reset', rate: 0 });
      expect(never.decide(GET).outcome).toBe('ok');
      expect(never.decide(GET).outcome).toBe('ok');
    });

    it('a spared non-latency rule lets the next matching one decide', () => {
      const plan = new FaultPlan({ random: sequence(0.9) });
      plan.add({ kind: 'reset', rate: 0.5 });
      plan.add({ kind: 'error', status: 500 });
      expect(plan.decide(GET)).toMatchObject({ outcome: 'error', status: 500 });
    });
  });

  describe('delivered', () => {
    it('counts each fault actually delivered, by kind', () => {
      const plan = new FaultPlan({ random: () => 0 });
      plan.add({ kind: 'latency', latencyMs: 1 });
      plan.add({ kind: 'commit-then-drop', count: 1 });
      plan.add({ kind: 'stall', ops: ['list'] });
      plan.decide(GET);
      plan.decide(GET);
      plan.decide({ op: 'list' });
      expect(plan.delivered).toEqual({ latency: 3, error: 0, reset: 0, stall: 1, 'commit-then-drop': 1 });
    });
  });

  describe('add, remove, clear', () => {
    it('gives each rule its own id; remove takes it out once', () => {
      const plan = new FaultPlan();
      const a = plan.add({ kind: 'reset', ops: ['get'] });
      const b = plan.add({ kind: 'error', ops: ['get'] });
      expect(a).not.toBe(b);
      expect(plan.remove(a)).toBe(true);
      expect(plan.remove(a)).toBe(false);
      expect(plan.remove('nope')).toBe(false);
      expect(plan.decide(GET).outcome).toBe('error');
      plan.clear();
      expect(plan.rules()).toEqual([]);
      expect(plan.decide(GET).outcome).toBe('ok');
    });

    it('keeps its own copy of a rule', () => {
      const plan = new FaultPlan();
      const rule: FaultRule = { kind: 'error', status: 500 };
      plan.add(rule);
      rule.status = 429;
      expect(plan.decide(GET).status).toBe(500);
    });
  });

  describe('validation', () => {
    it('rejects an unknown kind, listing the valid ones', () => {
      const plan = new FaultPlan();
      expect(() => plan.add({ kind: 'explode' as FaultRule['kind'] })).toThrow(
        new TypeError('fault kind "explode" is not one of latency, error, reset, stall, commit-then-drop'),
      );
    });

    it.each<[keyof FaultRule, unknown, string]>([
      ['rate', 1.5, 'fault rate must be a number from 0 to 1, got 1.5'],
      ['rate', -0.1, 'fault rate must be a number from 0 to 1, got -0.1'],
      ['rate', '0.5', 'fault rate must be a number from 0 to 1, got "0.5"'],
      ['count', 0, 'fault count must be a number from 1 to 9007199254740991, got 0'],
      ['status', 204, 'fault status must be a number from 400 to 599, got 204'],
      ['status', 600, 'fault status must be a number from 400 to 599, got 600'],
      ['latencyMs', -1, 'fault latencyMs must be a number from 0 to 3600000, got -1'],
      ['jitterMs', Number.NaN, 'fault jitterMs must be a number from 0 to 3600000, got null'],
      ['stallMs', 3_600_001, 'fault stallMs must be a number from 0 to 3600000, got 3600001'],
      ['count', 1.5, 'fault count must be a whole number, got 1.5'],
      [
        'ops',
        ['insert', 'upload'],
        'fault ops ["upload"] are not among insert, get, patch, delete, list, bucket',
      ],
    ])('rejects %s=%j, naming the field and its range', (field, value, message) => {
      const plan = new FaultPlan();
      const rule: FaultRule = { kind: 'error', [field]: value };
      expect(() => plan.add(rule)).toThrow(new TypeError(message));
      expect(plan.rules()).toEqual([]);
    });

    it('accepts the bounds', () => {
      const plan = new FaultPlan();
      plan.add({
        kind: 'error',
        rate: 0,
        count: 1,
        status: 599,
        latencyMs: 0,
        jitterMs: 3_600_000,
        stallMs: 0,
      });
      expect(plan.rules()).toHaveLength(1);
    });
  });
});
