import type { BucketInfo } from '../../store/object-store.js';
import { verdict, type DoctorCheck } from '../types.js';
import { describeRule, threatOf } from './lifecycle-rules.js';

/**
 * Lifecycle rules act in days and delete without looking at leases. One that can delete a live lock
 * object lets a waiter start the lock afresh under its holder, breaking the fence chain: a failure
 * when it has no time condition or an age no longer than the ttl, a warning otherwise.
 */
export function lifecycleCheck(bucket: BucketInfo, prefix: string, ttl: number): DoctorCheck {
  const threats = bucket.lifecycleRules.map((rule) => threatOf(rule, prefix, ttl));
  const failing = threats.filter((threat) => threat.level === 'fail');
  const warning = threats.filter((threat) => threat.level === 'warn');
  const where = `gs://${bucket.name}/${prefix}`;
  const fix =
    `remove or narrow the rule (matchesPrefix, or isLive=false for noncurrent versions), then ` +
    `gcloud storage buckets update gs://${bucket.name} --lifecycle-file=RULES.json ` +
    `(or --clear-lifecycle to drop every rule)`;
  const shown = [...failing, ...warning].map((threat) =>
    threat.level === 'none' ? '' : `"${describeRule(threat.rule)}" ${threat.why}`,
  );
  const details = { rules: bucket.lifecycleRules };
  if (failing.length > 0) {
    return verdict(
      'lifecycle',
      'lifecycle rules',
      'fail',
      `${shown.join('; ')}: a live lock deleted under its holder lets a waiter start the lock afresh ` +
        'while the holder still believes it holds it (until its next refresh)',
      { fix, details },
    );
  }
  if (warning.length > 0) {
    return verdict('lifecycle', 'lifecycle rules', 'warn', shown.join('; '), { fix, details });
  }
  const reason =
    bucket.lifecycleRules.length === 0
      ? 'none'
      : `${bucket.lifecycleRules.length} rule(s), none of which can delete a live lock under ${where}`;
  return verdict('lifecycle', 'lifecycle rules', 'pass', reason, { details });
}
