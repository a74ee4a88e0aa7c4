import { parseArgs } from 'node:util';
import { CLI_FAULTS, parseFaults, TORTURE_FAULTS } from './faults.js';
import { runTorture } from './orchestrator.js';
import { formatTable, formatViolations } from './report.js';
import { parsePrimitive } from './primitive-options.js';
import { parseVariant, VARIANT_OPTIONS } from './variant-options.js';

/** `npm run torture -- --workers 8 --duration 60s --faults all`: prints the figures, exits 1 on a violation. */
const USAGE = `usage: npm run torture -- [--workers 8] [--cli-workers N] [--locks 3] [--duration 60s | --count N]
         [--faults all|none|${TORTURE_FAULTS.join(',')}]
         [--counter fenced|unconditional] [--primitive lock|election|semaphore] [--permits 2]
         [--generations increasing|unordered] [--versioned] [--unfair] [--counter-token fence|generation]
         [--ttl 2s] [--slack 6s] [--out .torture/run-<time>]`;

function parseDuration(name: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text);
  if (!match)
    throw new Error(`${name} must be a duration like 500ms, 60s or 10m, got ${JSON.stringify(text)}`);
  const unit = match[2] ?? 'ms';
  return Math.round(Number(match[1]) * (unit === 'm' ? 60_000 : unit === 's' ? 1000 : 1));
}

function nonNegativeInt(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${name} must be a whole number, got ${JSON.stringify(text)}`);
  return value;
}

function positiveInt(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, got ${JSON.stringify(text)}`);
  return value;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      workers: { type: 'string', default: '8' },
      'cli-workers': { type: 'string' },
      counter: { type: 'string', default: 'fenced' },
      primitive: { type: 'string', default: 'lock' },
      permits: { type: 'string' },
      locks: { type: 'string', default: '3' },
      duration: { type: 'string' },
      count: { type: 'string' },
      faults: { type: 'string', default: 'all' },
      ttl: { type: 'string', default: '2s' },
      slack: { type: 'string', default: '6s' },
      out: { type: 'string' },
      help: { type: 'boolean' },
      ...VARIANT_OPTIONS,
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const quota = values.count === undefined ? null : positiveInt('--count', values.count);
  const workers = positiveInt('--workers', values.workers);
  const cliWorkers =
    values['cli-workers'] === undefined ? undefined : nonNegativeInt('--cli-workers', values['cli-workers']);
  const faults = parseFaults(values.faults);
  if (cliWorkers === 0 && faults.some((kind) => CLI_FAULTS.includes(kind))) {
    throw new Error(
      `--cli-workers 0 cannot deliver ${CLI_FAULTS.join(', ')}: give at least 1, or leave them out of --faults`,
    );
  }
  if (values.counter !== 'fenced' && values.counter !== 'unconditional') {
    throw new Error(`--counter must be fenced or unconditional, got ${JSON.stringify(values.counter)}`);
  }
  const primitive = parsePrimitive(values.primitive, values.permits);
  const result = await runTorture({
    ...primitive,
    ...parseVariant(values),
    workers,
    ...(cliWorkers !== undefined && { cliWorkers }),
    counter: values.counter,
    locks: positiveInt('--locks', values.locks),
    // With a count and no duration, the duration is only an upper bound.
    durationMs: parseDuration('--duration', values.duration ?? (quota === null ? '60s' : '30m')),
    quota,
    faults,
    ttl: parseDuration('--ttl', values.ttl),
    slackMs: parseDuration('--slack', values.slack),
    dir: values.out ?? `.torture/run-${stamp}`,
    log: (line) => console.error(line),
  });
  console.log(formatTable(result.check));
  console.log(`\nhistory: ${result.historyPath} (${result.events.length} events)`);
  if (!result.check.ok) {
    console.log(`\nVIOLATIONS:\n${formatViolations(result.check.violations)}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    console.error(USAGE);
    process.exit(2);
  },
);
