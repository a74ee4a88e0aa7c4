import type { CheckResult, Violation } from './checker.js';

/** The figures as a two-column table (Markdown, so it pastes into the docs and the issue as is). */
export function formatTable(result: CheckResult): string {
  const f = result.figures;
  const lost = Object.entries(f.lostByReason).map(([reason, count]) => `${reason} ${count}`);
  const rows: Array<[string, string | number]> = [
    ['acquisitions (grants at the server)', f.acquisitions],
    ['takeovers of an expired lease', f.takeovers],
    ['commands run under gcs-lock run', f.cliCommands],
    ['leases lost, by reason', lost.length > 0 ? lost.join(', ') : 0],
    ['releases that failed (left to expire)', f.releasesFailed],
    ['counter writes accepted (at the server)', f.writesAccepted],
    ['counter writes rejected by fencing', f.writesRejectedByFencing],
    ['counter writes refused by CAS or 429', f.writesNotApplied],
    ['counter writes in doubt (killed mid-write)', f.writesInDoubt],
    ['counter writes landing after their grant ended', f.lateWrites],
    ['lost updates', f.lostUpdates],
    ['longest gap between holders', `${f.longestGapMs} ms`],
    ['SIGKILLs (workers, gcs-lock)', f.kills],
    ['holders SIGSTOPped past the ttl', f.pauses],
    ['holders suspended or wall clock stepped', f.suspends],
    ['fenced writes accepted / refused (lock changed)', `${f.fenced.accepted} / ${f.fenced.refused}`],
    [
      'zombie writes: sent / refused / accepted before a successor',
      `${f.fenced.zombies} / ${f.fenced.zombiesRefused} / ${f.fenced.zombiesAcceptedBeforeSuccessor}`,
    ],
    ['waits (acquisition attempts)', f.waits.waits],
    ['wait p50 / p99 / longest', `${f.waits.p50WaitMs} / ${f.waits.p99WaitMs} / ${f.waits.longestWaitMs} ms`],
    ['longest wait', f.waits.longest || '-'],
    ['wait bound (N − 1) × (hold + hand-off)', `${f.waits.baseBoundMs} ms + fault allowances`],
    ['waits over their bound', f.waits.overBound],
    ['most grants to others during one wait', f.waits.mostPassedOver],
    ['longest a lock stayed free while someone waited', `${f.waits.longestIdleMs} ms`],
    ['grants out of ticket order', f.queueJumps],
    ['noncurrent versions / staged objects left', `${f.noncurrent} / ${f.staged}`],
  ];
  for (const [name, count] of Object.entries(f.lockEvents)) rows.push([`lock events: ${name}`, count]);
  for (const [kind, count] of Object.entries(f.delivered)) rows.push([`fault delivered: ${kind}`, count]);
  rows.push(['history events', f.events]);
  rows.push(['violations', f.violations]);
  const width = Math.max(...rows.map(([name]) => name.length));
  const lines = [`| ${'figure'.padEnd(width)} | value |`, `| ${'-'.repeat(width)} | ----- |`];
  for (const [name, value] of rows) lines.push(`| ${name.padEnd(width)} | ${value} |`);
  return lines.join('\n');
}

/** Each violation with the first few events that show it, as history lines; counts by kind first. */
export function formatViolations(violations: readonly Violation[], limit = 10): string {
  const byKind = new Map<string, number>();
  for (const violation of violations) byKind.set(violation.kind, (byKind.get(violation.kind) ?? 0) + 1);
  const summary = [...byKind].map(([kind, count]) => `${kind}: ${count}`).join(', ');
  return [
    summary,
    ...violations
      .slice(0, limit)
      .map((violation) =>
        [
          `${violation.kind}: ${violation.message}`,
          ...violation.evidence.slice(0, 12).map((event) => `    ${JSON.stringify(event)}`),
        ].join('\n'),
      ),
  ].join('\n');
}
