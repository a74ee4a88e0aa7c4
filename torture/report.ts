import type { CheckResult, Violation } from './checker.js';

/** The figures as a two-column table (Markdown, so it pastes into the docs and the issue as is). */
export function formatTable(result: CheckResult): string {
  const f = result.figures;
  const rows: Array<[string, string | number]> = [
    ['acquisitions', f.acquisitions],
    ['takeovers of a stale lease', f.takeovers],
    ['leases lost (taken / expired)', `${f.leasesLost} (${f.lostTaken} / ${f.lostExpired})`],
    ['counter writes accepted', f.writesAccepted],
    ['counter writes rejected by fencing', f.writesRejectedByFencing],
    ['counter writes refused by CAS or 429', f.writesNotApplied],
    ['counter writes in doubt (killed mid-write)', f.writesInDoubt],
    ['longest gap between holders', `${f.longestGapMs} ms`],
    ['workers SIGKILLed while holding', f.kills],
    ['holders SIGSTOPped past the ttl', f.pauses],
  ];
  for (const [kind, count] of Object.entries(f.delivered)) rows.push([`fault delivered: ${kind}`, count]);
  rows.push(['violations', f.violations]);
  const width = Math.max(...rows.map(([name]) => name.length));
  const lines = [`| ${'figure'.padEnd(width)} | value |`, `| ${'-'.repeat(width)} | ----- |`];
  for (const [name, value] of rows) lines.push(`| ${name.padEnd(width)} | ${value} |`);
  return lines.join('\n');
}

/** Each violation with the first few events that show it, as history lines. */
export function formatViolations(violations: readonly Violation[], limit = 10): string {
  return violations
    .slice(0, limit)
    .map((violation) =>
      [
        `${violation.kind}: ${violation.message}`,
        ...violation.evidence.slice(0, 12).map((event) => `    ${JSON.stringify(event)}`),
      ].join('\n'),
    )
    .join('\n');
}
