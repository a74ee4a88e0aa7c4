import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEvents } from '../../torture/history.js';

const dir = mkdtempSync(join(tmpdir(), 'gcs-lock-event-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A process that writes 3000 events through ProcessLog (file, then stdout), says so on stderr, and
// waits to be killed. Its stdout is a pipe nobody reads: once it is full, Node queues the rest in
// memory, which a SIGKILL loses. The file must not lose a line.
const CHILD = `
import { ProcessLog } from './torture/process-log.ts';
const log = new ProcessLog(process.argv[1], 'w0.0', 0);
for (let i = 0; i < 3000; i++) log.emit({ type: 'acquire-attempt', lock: 'L'.repeat(200) });
process.stderr.write('written\\n');
setInterval(() => undefined, 1000);
`;

describe('torture: the event file', () => {
  it(
    'keeps every event of a SIGKILLed process, numbered without gaps, where its stdout pipe loses them',
    { timeout: 60_000 },
    async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD, dir], {
        cwd: join(import.meta.dirname, '../..'),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.pause(); // nobody reads it until the child is dead
      await new Promise<void>((resolve, reject) => {
        child.stderr.on('data', (chunk: Buffer) =>
          chunk.toString().includes('written') ? resolve() : undefined,
        );
        child.once('exit', () => reject(new Error('the child exited before writing')));
      });
      child.kill('SIGKILL');
      let piped = '';
      child.stdout.on('data', (chunk: Buffer) => (piped += chunk.toString()));
      child.stdout.resume();
      await new Promise((resolve) => child.once('close', resolve));
      const events = parseEvents(readFileSync(join(dir, 'w0.0.jsonl'), 'utf8'), 'w0.0.jsonl');
      expect(events.map((event) => event.seq)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
      expect(events.every((event) => event.type === 'acquire-attempt')).toBe(true);
      // What the pipe delivered: what the orchestrator's notifications would have seen.
      expect(piped.split('\n').filter(Boolean).length).toBeLessThan(3000);
    },
  );
});
