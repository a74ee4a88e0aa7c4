import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from '../helpers.js';

beforeAll(ensureBuilt);

describe('gcs-lock demo', () => {
  it(
    'runs to completion, shows the crash and the takeover, and its summary holds up',
    { timeout: 120_000 },
    async () => {
      const result = await runCli(['demo']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const out = result.stdout;
      expect(out).toMatch(/w1 +CRASHED \(SIGKILL\) while holding token \d+/);
      expect(out).toMatch(/TOOK OVER the expired lease \(token \d+\) -> holds it, token \d+/);
      expect(out).toMatch(/waits: held by w1/);
      expect(out).toContain('gcs-lock demo: all checks passed.');
      expect(out).not.toMatch(/FAIL/);

      // Check the table ourselves rather than trust the demo's own verdict.
      const table = out.slice(out.indexOf('Critical sections'), out.indexOf('Checks:'));
      const rows = table
        .split('\n')
        .filter((line) => /^\d+ /.test(line))
        .map((line) => line.split(/\s{2,}/))
        .map(([, worker, token, start, end, , note]) => ({
          worker: worker!,
          token: BigInt(token!),
          start: Number(start!.slice(1, -1)),
          end: Number(end!.slice(1, -1)),
          note: note ?? '',
        }));
      expect(rows).toHaveLength(9); // w1's crashed section + 4 workers x 2 rounds
      expect(rows[0]!.worker).toBe('w1');
      expect(rows[0]!.note).toContain('CRASHED');
      expect(rows[1]!.note).toContain('took over');
      for (let i = 1; i < rows.length; i++) {
        expect(rows[i]!.start).toBeGreaterThanOrEqual(rows[i - 1]!.end);
        expect(rows[i]!.token).toBeGreaterThan(rows[i - 1]!.token);
      }
    },
  );

  it('refuses a ttl that would make the demo take hours, in the units people type', async () => {
    const result = await runCli(['demo', '--ttl', '200h']);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('--ttl 200h is too long: use at most 1m');
  });
});
