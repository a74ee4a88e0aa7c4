import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(ROOT, 'dist/cli/main.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function isFresh(): boolean {
  try {
    return statSync(CLI).mtimeMs >= newestMtime(join(ROOT, 'src'));
  } catch {
    return false;
  }
}

/**
 * Builds dist/ when it is older than src/ (`npm test` builds first, so usually nothing happens).
 * Test files run in parallel processes: an mkdir lock makes one of them build while the others wait.
 */
export async function ensureBuilt(): Promise<void> {
  if (isFresh()) return;
  const lock = join(ROOT, 'node_modules/.cache/gcs-lock-cli-build.lock');
  mkdirSync(join(lock, '..'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Someone else builds; a lock left by a killed run is taken over after a minute.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 60_000) rmdirSync(lock);
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (isFresh()) return;
    }
  }
  try {
    if (isFresh()) return;
    // tsc emits even when someone else's file has a type error; the CLI tests only need the output.
    const result = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    if (statSync(CLI, { throwIfNoEntry: false }) === undefined) {
      throw new Error(`npm run build produced no ${CLI}:\n${result.stdout}${result.stderr}`);
    }
  } finally {
    rmdirSync(lock);
  }
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running `gcs-lock` process, its output so far, and its end. */
export interface CliProcess {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  done: Promise<CliResult>;
  /** Resolves when the process itself ends, even if a command it started still holds its output open. */
  exited: Promise<void>;
  /** Resolves once stderr (or stdout) contains `text`. */
  waitForOutput(text: string | RegExp, stream?: 'stdout' | 'stderr'): Promise<void>;
}

/**
 * Starts `node dist/cli/main.js ...args` with a clean environment (no emulator host, no ADC).
 * `detached` makes it lead a process group of its own, as a shell does for a job: the test can then
 * signal that group as a terminal's Ctrl-C would. `stdin` is written to its standard input.
 */
export function startCli(
  args: string[],
  env: Record<string, string> = {},
  options: { detached?: boolean; stdin?: string } = {},
): CliProcess {
  const { STORAGE_EMULATOR_HOST: _, GOOGLE_APPLICATION_CREDENTIALS: __, ...base } = process.env;
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { ...base, NO_COLOR: '1', ...env },
    stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  const out = { stdout: '', stderr: '' };
  const waiters: Array<() => void> = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out.stdout += chunk;
    waiters.forEach((check) => check());
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    out.stderr += chunk;
    waiters.forEach((check) => check());
  });
  const done = new Promise<CliResult>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal, ...out }));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    exited,
    get stdout() {
      return out.stdout;
    },
    get stderr() {
      return out.stderr;
    },
    done,
    waitForOutput(text, stream = 'stderr') {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const seen = out[stream];
          if (typeof text === 'string' ? seen.includes(text) : text.test(seen)) resolve();
        };
        waiters.push(check);
        check();
        void done.then(() => reject(new Error(`exited before printing ${String(text)}:\n${out.stderr}`)));
      });
    },
  };
}

/** Runs `gcs-lock ...args` to completion. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return startCli(args, env).done;
}

/**
 * A command body that runs until it is signalled, or until its parent (gcs-lock) dies: a test that
 * fails half-way must not leave it running for ever.
 */
export const UNTIL_ORPHANED =
  'const parent = process.ppid; setInterval(() => { if (process.ppid !== parent) process.exit(1); }, 200);';

/** Polls `condition` every 20 ms until it holds (tests never assert timings; vitest's timeout bounds this). */
export async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** `node -e SCRIPT ARGS...` as a command line. */
export const node = (script: string, ...args: string[]): string[] => [
  process.execPath,
  '-e',
  script,
  ...args,
];
