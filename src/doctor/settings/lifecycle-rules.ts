import type { BucketLifecycleRule } from '../../store/object-store.js';

/** Conditions that only noncurrent versions can meet: a rule with one never touches a live object. */
const NONCURRENT_ONLY = ['daysSinceNoncurrentTime', 'noncurrentTimeBefore'] as const;
/** Conditions that only narrow which objects a rule applies to, not when. */
const SCOPE_ONLY = new Set(['matchesPrefix', 'matchesSuffix', 'isLive', 'matchesStorageClass']);
const DAY_MS = 86_400_000;

/** Whether a rule can apply to some object under `prefix` (its `matchesPrefix`, if any, overlaps). */
export function appliesUnder(rule: BucketLifecycleRule, prefix: string): boolean {
  const prefixes = rule.condition['matchesPrefix'];
  if (!Array.isArray(prefixes) || prefixes.length === 0) return true;
  return prefixes.some((p) => typeof p === 'string' && (p.startsWith(prefix) || prefix.startsWith(p)));
}

/** A Delete rule that can remove noncurrent versions: what keeps a versioned bucket from filling up. */
export function trimsNoncurrent(rule: BucketLifecycleRule, prefix: string): boolean {
  return rule.action.type === 'Delete' && rule.condition['isLive'] !== true && appliesUnder(rule, prefix);
}

/** Whether a rule can only ever match noncurrent versions. */
function noncurrentOnly(rule: BucketLifecycleRule): boolean {
  const { condition } = rule;
  if (condition['isLive'] === false) return true;
  if (NONCURRENT_ONLY.some((key) => condition[key] !== undefined)) return true;
  const newer = condition['numNewerVersions'];
  return typeof newer === 'number' && newer >= 1;
}

/** How a rule threatens live lock objects: not at all, maybe, or surely. */
export type RuleThreat =
  { level: 'none' } | { level: 'warn' | 'fail'; rule: BucketLifecycleRule; why: string };

/**
 * What a lifecycle rule does to live lock objects under `prefix`, for a lease of `ttl` ms. Deleting a
 * live lock object behind its holder's back lets a waiter create it afresh (`ifGenerationMatch=0`)
 * while the holder still believes it holds the lease, until its next refresh: the fence chain, which
 * only gcs-lock may write, is broken. A rule with no time condition does that at any moment; one
 * whose `age` is shorter than the ttl does it to leases that are alive by construction.
 */
export function threatOf(rule: BucketLifecycleRule, prefix: string, ttl: number): RuleThreat {
  if (!appliesUnder(rule, prefix) || noncurrentOnly(rule)) return { level: 'none' };
  const type = rule.action.type;
  if (type !== 'Delete' && type !== 'SetStorageClass') return { level: 'none' };
  const timing = Object.keys(rule.condition).filter((key) => !SCOPE_ONLY.has(key));
  const age = rule.condition['age'];
  if (type === 'SetStorageClass') {
    return {
      level: 'warn',
      rule,
      why: `moves lock objects to ${rule.action.storageClass ?? 'another class'}, which charges more per request`,
    };
  }
  if (timing.length === 0) {
    return { level: 'fail', rule, why: 'deletes live lock objects with no time condition' };
  }
  if (typeof age === 'number' && age * DAY_MS <= ttl) {
    return { level: 'fail', rule, why: `deletes objects ${age} day(s) old, no longer than the ttl` };
  }
  // customTime is never set by gcs-lock: rules on it never match a lock object.
  if (timing.every((key) => key === 'customTimeBefore' || key === 'daysSinceCustomTime')) {
    return { level: 'none' };
  }
  return {
    level: 'warn',
    rule,
    why:
      typeof age === 'number'
        ? `deletes a lock object ${age} day(s) after its last grant: a lease held longer is deleted under its holder`
        : `can delete live lock objects (${timing.join(', ')})`,
  };
}

/** A rule, shown compactly: `Delete if age=1, matchesPrefix=["locks/"]`. */
export function describeRule(rule: BucketLifecycleRule): string {
  const conditions = Object.entries(rule.condition)
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
    .join(', ');
  const target = rule.action.storageClass ? ` to ${rule.action.storageClass}` : '';
  return `${rule.action.type}${target} if ${conditions || '(always)'}`;
}
