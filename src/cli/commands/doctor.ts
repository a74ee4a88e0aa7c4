import type { CostSummary, RequestRate } from '../../doctor/cost.js';
import { doctor } from '../../doctor/doctor.js';
import type { DoctorReport } from '../../doctor/types.js';
import { parseBucketUrl } from '../../util/lock-url.js';
import {
  expectPositionals,
  parseArgument,
  parseCommandLine,
  parseDuration,
  usageFromConfiguration,
} from '../args.js';
import { ExitCode } from '../exit-codes.js';
import { formatDuration, formatTable } from '../format.js';
import { DOCTOR_HELP } from '../help.js';
import { cliStore, ENDPOINT_OPTION } from '../store.js';

/**
 * `gcs-lock doctor gs://BUCKET[/PREFIX]`: whether locks will work there and what they cost. One
 * line per check (PASS / WARN / FAIL / SKIP, the reason, the fix), or the report as JSON. Exits 0
 * when no check failed, 1 otherwise.
 */
export async function doctorCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine('doctor', args, {
    ...ENDPOINT_OPTION,
    ttl: { type: 'string' },
    'refresh-interval': { type: 'string' },
    'read-only': { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    process.stdout.write(`${DOCTOR_HELP}\n`);
    return ExitCode.OK;
  }
  const [url] = expectPositionals('doctor', positionals, ['gs://BUCKET[/PREFIX]']) as [string];
  parseArgument(parseBucketUrl, url);
  const ttl = values.ttl === undefined ? undefined : parseDuration('--ttl', values.ttl);
  const refresh =
    values['refresh-interval'] === undefined
      ? undefined
      : parseDuration('--refresh-interval', values['refresh-interval']);
  let report: DoctorReport;
  try {
    report = await doctor(url, {
      store: cliStore(values.endpoint),
      ...(ttl !== undefined && { ttl }),
      ...(refresh !== undefined && { refreshInterval: refresh }),
      readOnly: values['read-only'] ?? false,
    });
  } catch (error) {
    usageFromConfiguration(error);
  }
  process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `${formatReport(report)}\n`);
  return report.ok ? ExitCode.OK : ExitCode.CONFLICT;
}

/** The report for people: a headline, one line per check with its fix below, the cost, a tally. */
export function formatReport(report: DoctorReport): string {
  const { settings, summary } = report;
  const lines = [
    `gcs-lock doctor ${report.url} (ttl ${formatDuration(settings.ttl)}, refresh every ` +
      `${formatDuration(settings.refreshInterval)}, ${settings.fair ? 'fair' : 'not fair'})`,
    '',
  ];
  const width = Math.max(...report.checks.map((check) => check.title.length));
  for (const check of report.checks) {
    lines.push(`${check.status.toUpperCase().padEnd(4)}  ${check.title.padEnd(width)}  ${check.reason}`);
    if (check.fix !== undefined && check.status !== 'pass') {
      lines.push(`${' '.repeat(8 + width)}fix: ${check.fix}`);
    }
  }
  lines.push('', ...formatCost(report.cost), '');
  const tally = [
    `${summary.fail} failed`,
    `${summary.warn} warning${summary.warn === 1 ? '' : 's'}`,
    `${summary.pass} passed`,
    ...(summary.skip > 0 ? [`${summary.skip} skipped`] : []),
  ];
  lines.push(
    `${tally.join(', ')}: ${report.ok ? 'locks will work here' : 'fix the failures before relying on locks here'}.`,
  );
  return lines.join('\n');
}

function formatCost(cost: CostSummary): string[] {
  const rows: Array<[string, RequestRate]> = [['holding a lock', cost.held]];
  if ('polling' in cost.waiting) rows.push(['waiting for it', cost.waiting.polling]);
  else
    rows.push(
      ['waiting, first in queue', cost.waiting.head],
      ['waiting, behind others', cost.waiting.behind],
    );
  const table = formatTable(
    ['  what', 'requests per hour', 'per hour', 'per month'],
    [
      ...rows.map(([what, rate]) => [
        `  ${what}`,
        requests(rate.classAPerHour, rate.classBPerHour),
        usd(rate.usdPerHour),
        usd(rate.usdPerMonth),
      ]),
      [
        '  one acquire + release',
        `${requests(cost.acquireRelease.classA, cost.acquireRelease.classB)} (once)`,
        usd(cost.acquireRelease.usd),
        '',
      ],
    ],
  );
  return [`Cost at these settings (${cost.prices.basis}):`, table];
}

function requests(classA: number, classB: number): string {
  const parts = [
    ...(classA > 0 ? [`${classA.toLocaleString('en-US')} write${classA === 1 ? '' : 's'}`] : []),
    ...(classB > 0 ? [`${classB.toLocaleString('en-US')} read${classB === 1 ? '' : 's'}`] : []),
  ];
  return parts.join(' + ') || 'none';
}

/** Dollars with enough digits to show something: $0.86, $0.0012, $0.0000104. */
function usd(value: number): string {
  if (value >= 1) return `$${value.toFixed(2)}`;
  if (value === 0) return '$0';
  return `$${value.toPrecision(2).replace(/e.*$/, '')}`;
}
