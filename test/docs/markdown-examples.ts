import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** One fenced code block of a Markdown file. */
export interface CodeBlock {
  /** Path relative to the repository root, e.g. `docs/recipes.md`. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The info string's first word, lower-cased: `ts`, `sh`, `mermaid`... */
  lang: string;
  /** The info string's other words, e.g. `no-run`. */
  flags: string[];
  code: string;
}

/** The Markdown files whose examples must run: the README and every page in docs/ (not docs/api/). */
export function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => join(ROOT, 'docs', name));
  return [join(ROOT, 'README.md'), ...docs];
}

/**
 * Extracts the fenced code blocks (``` or ~~~, three or more) of a Markdown file. A fence closes only
 * with the same character, at least as long, so a ```` block may contain ``` lines.
 */
export function extractBlocks(path: string, text = readFileSync(path, 'utf8')): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = text.split(/\r?\n/);
  let open: { fence: string; lang: string; flags: string[]; line: number; body: string[] } | undefined;
  lines.forEach((line, index) => {
    if (open) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
      if (close && close[1]![0] === open.fence[0] && close[1]!.length >= open.fence.length) {
        blocks.push({
          file: relative(ROOT, path),
          line: open.line,
          lang: open.lang,
          flags: open.flags,
          code: `${open.body.join('\n')}\n`,
        });
        open = undefined;
      } else {
        open.body.push(line);
      }
      return;
    }
    const start = /^ {0,3}(`{3,}|~{3,})\s*([^`]*)$/.exec(line);
    if (start) {
      const [lang = '', ...flags] = start[2]!.trim().split(/\s+/).filter(Boolean);
      open = { fence: start[1]!, lang: lang.toLowerCase(), flags, line: index + 1, body: [] };
    }
  });
  if (open) throw new Error(`${relative(ROOT, path)}:${open.line}: code fence never closed`);
  return blocks;
}

/** What the test does with a block, and why. */
export type Plan = { run: 'ts' | 'sh' | 'js' } | { run: false; why: string };

const TS = new Set(['ts', 'typescript', 'mts']);
/** Plain JavaScript runs on Node itself, untranspiled, against the built package: what a JS user runs. */
const JS = new Set(['js', 'javascript', 'mjs']);
const SH = new Set(['sh', 'bash', 'shell']);

export function planFor(block: CodeBlock): Plan {
  if (block.flags.includes('no-run')) return { run: false, why: 'marked no-run' };
  if (TS.has(block.lang)) return { run: 'ts' };
  if (JS.has(block.lang)) return { run: 'js' };
  if (SH.has(block.lang)) {
    // Shell blocks are run when they call gcs-lock; others (npm ci, gcloud...) are prose.
    return /(^|[\s;|&(`$])(npx\s+)?gcs-lock\s/m.test(block.code)
      ? { run: 'sh' }
      : { run: false, why: 'a shell block that does not call gcs-lock' };
  }
  return { run: false, why: `not code to run (${block.lang || 'no language'})` };
}

/**
 * The buckets an example names: `gs://NAME/...`, `bucket: 'NAME'` and `buckets: ['NAME', ...]`. The
 * test creates them on the local server before the example runs.
 */
export function bucketsNamed(code: string): string[] {
  const names = new Set<string>();
  for (const match of code.matchAll(/gs:\/\/([a-z0-9][a-z0-9._-]{1,220}[a-z0-9])/g)) names.add(match[1]!);
  for (const match of code.matchAll(/\bbucket:\s*['"]([a-z0-9][a-z0-9._-]*[a-z0-9])['"]/g)) {
    names.add(match[1]!);
  }
  for (const match of code.matchAll(/\bbuckets:\s*\[([^\]]*)\]/g)) {
    for (const name of match[1]!.matchAll(/['"]([a-z0-9][a-z0-9._-]*[a-z0-9])['"]/g)) names.add(name[1]!);
  }
  return [...names];
}

/**
 * Points the package's own imports (`gcs-lock`, `gcs-lock/testing`, `gcs-lock/otel`) at this tree, so
 * examples run against the code here (the packaging test checks the published form of the same
 * imports): the sources for TypeScript, the built `dist/` for plain JavaScript.
 */
export function rewriteImports(code: string, target: 'src' | 'dist' = 'src'): string {
  const file = (entry: string): string =>
    pathToFileURL(join(ROOT, target, entry, target === 'src' ? 'index.ts' : 'index.js')).href;
  return code.replace(
    /(from\s+|import\s*\(\s*)(['"])gcs-lock(?:\/(testing|otel))?\2/g,
    (_match, lead: string, quote: string, entry: string | undefined) =>
      `${lead}${quote}${file(entry ?? '')}${quote}`,
  );
}

/** The end of a child process. */
export interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  timedOut: boolean;
}

/** Runs a command to completion, killing it (and failing) after `timeoutMs`. */
export function runProcess(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // The whole process group: a shell example's gcs-lock and its child go too.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output, timedOut });
    });
  });
}
