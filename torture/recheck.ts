import { check } from './checker.js';
import { readHistory } from './history.js';
import { formatTable, formatViolations } from './report.js';

/** `npm run torture:check -- <history.jsonl>`: the checker's verdict on a recorded history, again. */
const path = process.argv[2];
if (path === undefined) {
  console.error('usage: npm run torture:check -- <history.jsonl> [violations to show]');
  process.exit(2);
}
const result = check(readHistory(path));
console.log(formatTable(result));
if (!result.ok)
  console.log(`\nVIOLATIONS:\n${formatViolations(result.violations, Number(process.argv[3] ?? 10))}`);
process.exit(result.ok ? 0 : 1);
