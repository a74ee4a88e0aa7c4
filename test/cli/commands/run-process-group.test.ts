/**
 * `gcs-lock run` and the command's process tree: nothing of it outlives the lease (a lost lease, a
 * command that leaves processes behind, gcs-lock itself killed), and signals reach it exactly once
 * (a terminal's Ctrl-C, a control group's SIGTERM). Linux only: the tests read /proc.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, startCli, until, type CliProcess } from '../helpers.js';
import { BUCKET, useCliFixture, type LockServer } from '../lock-server.js';
import { descendants, isRunning, killAll, procStat } from '../processes.js';

let server: LockServer;
let dir: string;
let name: string;
let url: string;
useCliFixture('tree', (fixture) => ({ server, dir, name, url } = fixture));
/** Processes a test saw: killed after it, even when it failed or timed out half-way. */
const seen: number[] = [];
afterEach(() => killAll(seen.splice(0)));

const common = (): string[] => ['--endpoint', server.url, '--ttl', '2s'];

/** A node command that logs the signals it gets to `file`; exits 3 on SIGTERM, 7 on SIGUSR2. */
function signalCounter(file: string, exitOn: 'SIGTERM' | 'SIGUSR2'): string[] {
  const script = `const fs = require('node:fs');
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'])
      process.on(s, () => { fs.appendFileSync(process.argv[1], s + '\\n'); if (s === '${exitOn}') process.exit(${exitOn === 'SIGTERM' ? 3 : 7}); });
    fs.writeFileSync(process.argv[1], ''); setInterval(() => {}, 1000);`;
  return [process.execPath, '-e', script, file];
}

/** gcs-lock running a `signalCounter` command that is ready; the log's path. */
async function startCounting(
  exitOn: 'SIGTERM' | 'SIGUSR2',
  options: { detached?: boolean } = {},
): Promise<{ run: CliProcess; log: string }> {
  const log = join(dir, `${name}.signals`);
  const run = startCli(['run', url, ...common(), '--', ...signalCounter(log, exitOn)], {}, options);
  seen.push(run.child.pid!);
  await until(() => existsSync(log));
  return { run, log };
}

/** Sends `signal` to gcs-lock alone (it forwards it; the command exits), and returns the signal log. */
async function endWith(run: CliProcess, log: string, signal: NodeJS.Signals): Promise<string> {
  run.child.kill(signal);
  await run.exited;
  return read(log);
}

const read = (file: string): string => (existsSync(file) ? readFileSync(file, 'utf8') : '');
/** A process's command line, its arguments joined by spaces ('' once it is gone). */
const cmdline = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
};

const comm = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
};

const isWatchdog = (pid: number): boolean => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('gcs-lock-watchdog');
  } catch {
    return false;
  }
};

function sendIfThere(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone meanwhile
  }
}

/** The processes below gcs-lock once `names` (comm) are all among them. */
async function treeWith(run: CliProcess, names: string[]): Promise<number[]> {
  let pids: number[] = [];
  await until(() => {
    pids = descendants(run.child.pid!);
    seen.push(...pids);
    const commands = pids.map(comm);
    return names.every((wanted) => commands.includes(wanted));
  });
  return pids;
}

// util-linux `script` gives the test a real terminal: what it writes is typed, \x03 is a Ctrl-C.
const hasScript = (spawnSync('script', ['--version'], { encoding: 'utf8' }).stdout ?? '').includes(
  'util-linux',
);
const shellQuote = (args: string[]): string => args.map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');

describe.skipIf(process.platform !== 'linux')('gcs-lock run: the command and its process tree', () => {
  it('a lost lease ends the whole tree (sh -c with pipelines), SIGKILL for what ignores SIGTERM', async () => {
    // The second pipeline ignores SIGTERM (an ignored signal stays ignored across exec).
    const script = `sleep 1000 | cat & trap '' TERM; sleep 1001 | cat`;
    const run = startCli(['run', url, ...common(), '--kill-grace', '200ms', '--', 'sh', '-c', script]);
    seen.push(run.child.pid!);
    const pids = await treeWith(run, ['sh', 'sleep', 'cat']);
    server.engine.deleteObject(BUCKET, name); // as if someone broke the lock
    await run.exited;
    expect(run.child.exitCode).toBe(75);
    expect(pids.filter((pid) => !isWatchdog(pid) && isRunning(pid))).toEqual([]);
    await until(() => !pids.some(isRunning)); // the watchdog, told "done", exits too
    expect(run.stderr).toMatch(/sending SIGTERM to sh and its process group/);
    expect(run.stderr).toMatch(/sent SIGKILL to its process group/);
  });

  it('ends what the command left running before it releases the lock: work done under the lock finishes under it', async () => {
    const marker = join(dir, `${name}.seen`);
    // A leftover that, when told to stop, asks the server whether the lock is still held.
    const leftover = `const fs = require('node:fs');
      process.on('SIGTERM', async () => {
        const object = await (await fetch(process.argv[1])).json();
        fs.writeFileSync(process.argv[2], String(object.metadata['gcs-lock-state'])); process.exit(0);
      }); fs.writeFileSync(process.argv[2], 'ready'); setInterval(() => {}, 1000);`;
    const objectUrl = `${server.url}/storage/v1/b/${BUCKET}/o/${encodeURIComponent(name)}`;
    const script = `"$0" -e "$1" "$2" "$3" & echo $!; (trap '' TERM; exec sleep 1000) & echo $!
      until [ -s "$3" ]; do sleep 0.05; done`;
    // A grace long enough for the leftover's request (a first fetch loads undici: 100 ms or more).
    const run = startCli([
      'run',
      url,
      '--endpoint',
      server.url,
      '--ttl',
      '10s',
      '--kill-grace',
      '1s',
      '--',
      'sh',
      '-c',
      script,
      process.execPath,
      leftover,
      objectUrl,
      marker,
    ]);
    seen.push(run.child.pid!);
    // The shell exits at once: its leftovers are no longer below gcs-lock; they said who they are.
    await run.waitForOutput(/^\d+\n\d+\n/, 'stdout');
    const pids = run.stdout.trim().split('\n').map(Number);
    seen.push(...pids);
    await run.exited;
    expect(run.child.exitCode).toBe(0);
    expect(run.stderr).toMatch(/sh exited, leaving processes running in its process group/);
    expect(run.stderr).toMatch(/sent SIGKILL/);
    expect(read(marker)).toBe('held'); // told to stop while the lock was still held
    expect(pids.filter(isRunning)).toEqual([]);
    expect(server.heldToken(name)).toBeUndefined(); // and released after
  });

  it('when gcs-lock itself is killed (SIGKILL), its watchdog ends the whole tree within the grace', async () => {
    const script = `sleep 1000 | cat & trap '' TERM; sleep 1001 | cat`;
    const run = startCli(['run', url, ...common(), '--kill-grace', '200ms', '--', 'sh', '-c', script]);
    seen.push(run.child.pid!);
    const pids = await treeWith(run, ['sh', 'sleep', 'cat']);
    run.child.kill('SIGKILL');
    await run.exited;
    await until(() => pids.every((pid) => !isRunning(pid)));
    expect(server.heldToken(name)).toBeDefined(); // nobody released: it expires, as a crashed holder's does
  });

  it.skipIf(!hasScript)(
    'on a terminal, Ctrl-C reaches the command once, and the command reads the terminal',
    async () => {
      const log = join(dir, `${name}.terminal`);
      const command = `const fs = require('node:fs'); const log = (line) => fs.appendFileSync(process.argv[1], line + '\\n');
      process.on('SIGINT', () => log('SIGINT'));
      require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => line === 'quit' ? process.exit(4) : log('read ' + line));
      log('ready');`;
      const { STORAGE_EMULATOR_HOST: _, ...env } = process.env;
      const line = shellQuote([
        process.execPath,
        CLI,
        'run',
        url,
        ...common(),
        '--',
        process.execPath,
        '-e',
        command,
        log,
      ]);
      const terminal = spawn('script', ['-q', '-e', '-c', `exec ${line}`, '/dev/null'], {
        env: { ...env, SHELL: '/bin/sh' },
        stdio: ['pipe', 'ignore', 'ignore'],
      });
      const exited = new Promise<number | null>((resolve) => terminal.once('exit', (code) => resolve(code)));
      try {
        await until(() => read(log) === 'ready\n');
        terminal.stdin.write('typed line\n');
        await until(() => read(log).includes('read typed line'));
        terminal.stdin.write('\x03'); // Ctrl-C
        await until(() => read(log).includes('SIGINT'));
        terminal.stdin.write('quit\n');
        expect(await exited).toBe(4);
        expect(read(log)).toBe('ready\nread typed line\nSIGINT\n');
      } finally {
        terminal.kill('SIGKILL');
      }
    },
  );

  it('a Ctrl-C (SIGINT to the terminal group gcs-lock is in) reaches the command exactly once', async () => {
    const { run, log } = await startCounting('SIGTERM', { detached: true });
    process.kill(-run.child.pid!, 'SIGINT'); // what the terminal does: the whole foreground group
    await until(() => read(log).includes('SIGINT'));
    expect(await endWith(run, log, 'SIGTERM')).toBe('SIGINT\nSIGTERM\n');
    expect(run.child.exitCode).toBe(3);
  });

  it("a control group's SIGTERM and SIGHUP (systemd's stop: every process gets one) reach the command once", async () => {
    const { run, log } = await startCounting('SIGUSR2');
    const everyone = (): number[] => [run.child.pid!, ...descendants(run.child.pid!)];
    seen.push(...everyone());
    for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
      for (const pid of everyone()) sendIfThere(pid, signal);
      await until(() => read(log).includes(signal));
    }
    expect(await endWith(run, log, 'SIGUSR2')).toBe('SIGTERM\nSIGHUP\nSIGUSR2\n');
    expect(run.child.exitCode).toBe(7);
  });

  it('Ctrl-Z stops the command with gcs-lock, and fg resumes both', async () => {
    const { run, log } = await startCounting('SIGTERM', { detached: true });
    seen.push(...descendants(run.child.pid!));
    // The command is the process that writes the log (its name is `node`, or `MainThread` from Node 24).
    const command = descendants(run.child.pid!).find((pid) => cmdline(pid).includes(log))!;
    expect(command).toBeDefined();
    process.kill(-run.child.pid!, 'SIGTSTP');
    await until(() => procStat(run.child.pid!)?.state === 'T' && procStat(command)?.state === 'T');
    process.kill(-run.child.pid!, 'SIGCONT');
    await until(() => procStat(command)?.state !== 'T');
    expect(await endWith(run, log, 'SIGTERM')).toBe('SIGTERM\n');
    expect(run.child.exitCode).toBe(3);
  });

  it("the command still reads gcs-lock's standard input", async () => {
    const run = startCli(['run', url, ...common(), '--', 'cat'], {}, { stdin: 'typed line\n' });
    seen.push(run.child.pid!);
    const result = await run.done;
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('typed line\n');
  });
});
