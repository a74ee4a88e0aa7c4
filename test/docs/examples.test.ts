/**
 * Every code example in README.md and docs/*.md runs here, against the local GCS server:
 * - ```ts blocks are written to a temporary .mts file (imports of `gcs-lock` and `gcs-lock/testing`
 *   pointed at src/) and run with tsx, with STORAGE_EMULATOR_HOST set to the server;
 * - ```js blocks run on Node itself, untranspiled (what Node 20 parses), importing the built dist/;
 * - ```sh blocks that call `gcs-lock` run in bash (-e -o pipefail) with `gcs-lock` on PATH (the built CLI);
 * - a block whose info string says `no-run` (```ts no-run) is skipped, and the skip is listed with its
 *   reason. Keep those few: real-GCS set-up, or fragments that show one call.
 * Every bucket an example names (gs://NAME, bucket: 'NAME') exists on the server when it starts, and
 * the server is emptied between examples. An example fails the test when it exits non-zero, is killed,
 * or runs for longer than EXAMPLE_TIMEOUT_MS.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/start-server.js';
import { ensureBuilt } from '../cli/helpers.js';
import {
  bucketsNamed,
  extractBlocks,
  markdownFiles,
  planFor,
  rewriteImports,
  ROOT,
  runProcess,
  type CodeBlock,
  type Outcome,
} from './markdown-examples.js';

const EXAMPLE_TIMEOUT_MS = 60_000;
const TSX = join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const CLI = join(ROOT, 'dist/cli/main.js');

const blocks = markdownFiles().flatMap((file) => extractBlocks(file));

let server: RunningServer;
let work: string;
let counter = 0;

beforeAll(async () => {
  server = await startServer({ host: '127.0.0.1' });
  // Inside the repository (under node_modules/.cache), so that examples resolve the packages they
  // import (google-auth-library, @google-cloud/storage) as a user's project would.
  mkdirSync(join(ROOT, 'node_modules/.cache'), { recursive: true });
  work = mkdtempSync(join(ROOT, 'node_modules/.cache/gcs-lock-docs-'));
  // `gcs-lock` for the shell examples: the built CLI, as `npm i -g gcs-lock` would install it.
  await ensureBuilt();
  const bin = join(work, 'bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'gcs-lock'),
    `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`,
  );
  chmodSync(join(bin, 'gcs-lock'), 0o755);
});

afterAll(async () => {
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

function environment(): NodeJS.ProcessEnv {
  const {
    GOOGLE_APPLICATION_CREDENTIALS: _credentials,
    GCS_LOCK_DEBUG: _debug,
    NODE_DEBUG: _nodeDebug,
    ...base
  } = process.env;
  return {
    ...base,
    STORAGE_EMULATOR_HOST: server.url,
    PATH: `${join(work, 'bin')}:${process.env['PATH'] ?? ''}`,
    NO_COLOR: '1',
  };
}

function prepareServer(code: string): void {
  server.reset();
  server.setClockOffset(0);
  server.setRateLimit(false);
  const existing = new Set(server.engine.listBuckets().map((bucket) => bucket.name));
  for (const name of bucketsNamed(code)) if (!existing.has(name)) server.engine.createBucket(name);
}

async function runTs(code: string): Promise<Outcome> {
  prepareServer(code);
  const file = join(work, `example-${++counter}.mts`);
  writeFileSync(file, rewriteImports(code));
  return runProcess(process.execPath, [TSX, file], {
    cwd: ROOT,
    env: environment(),
    timeoutMs: EXAMPLE_TIMEOUT_MS,
  });
}

async function runJs(code: string): Promise<Outcome> {
  prepareServer(code);
  const file = join(work, `example-${++counter}.mjs`);
  writeFileSync(file, rewriteImports(code, 'dist'));
  return runProcess(process.execPath, [file], {
    cwd: ROOT,
    env: environment(),
    timeoutMs: EXAMPLE_TIMEOUT_MS,
  });
}

async function runSh(code: string): Promise<Outcome> {
  prepareServer(code);
  const file = join(work, `example-${++counter}.sh`);
  // `npx gcs-lock` would look the package up in the registry from a temporary directory.
  writeFileSync(file, code.replace(/\bnpx\s+gcs-lock\b/g, 'gcs-lock'));
  const cwd = mkdtempSync(join(work, 'sh-'));
  return runProcess('bash', ['-e', '-o', 'pipefail', file], {
    cwd,
    env: environment(),
    timeoutMs: EXAMPLE_TIMEOUT_MS,
  });
}

function describeOutcome(block: CodeBlock, outcome: Outcome): string {
  const how = outcome.timedOut
    ? `did not finish within ${EXAMPLE_TIMEOUT_MS} ms`
    : `exited with ${outcome.signal ?? outcome.code}`;
  return `${block.file}:${block.line} ${how}\n--- code ---\n${block.code}--- output ---\n${outcome.output}`;
}

describe('documentation examples', () => {
  // Blocks that are not code to run (diagrams, output, set-up for real GCS) are listed, not skipped:
  // a skipped test would look like a case left undone.
  const notRun: string[] = [];
  it('says why each block it does not run is not run', () => {
    expect(notRun.every((line) => / not run, \S/.test(line))).toBe(true);
  });
  for (const block of blocks) {
    const plan = planFor(block);
    const name = `${block.file}:${block.line} (${block.lang}${block.flags.length ? ` ${block.flags.join(' ')}` : ''})`;
    if (!plan.run) {
      notRun.push(`${name}: not run, ${plan.why}`);
      continue;
    }
    it(`${name} runs`, async () => {
      const run = { ts: runTs, sh: runSh, js: runJs }[plan.run];
      const outcome = await run(block.code);
      if (outcome.timedOut || outcome.code !== 0) expect.fail(describeOutcome(block, outcome));
    });
  }
});

describe('the example runner', () => {
  it('finds the pages and their examples', () => {
    const files = new Set(blocks.map((block) => block.file));
    for (const page of ['README.md', 'docs/protocol.md', 'docs/operations.md', 'docs/recipes.md']) {
      expect(files, `${page} has code blocks`).toContain(page);
    }
    const runnable = (file: string): number =>
      blocks.filter((block) => block.file === file && planFor(block).run).length;
    expect(runnable('README.md')).toBeGreaterThanOrEqual(1);
    expect(runnable('docs/recipes.md')).toBeGreaterThanOrEqual(4);
  });

  it('keeps the examples that do not run few', () => {
    const code = blocks.filter((block) => ['ts', 'typescript', 'sh', 'bash'].includes(block.lang));
    const skipped = code.filter((block) => block.flags.includes('no-run'));
    console.info(
      `examples marked no-run:\n${skipped.map((block) => `  ${block.file}:${block.line}`).join('\n')}`,
    );
    // A page of examples that are all marked no-run would test nothing.
    expect(skipped.length).toBeLessThanOrEqual(Math.ceil(code.length / 3));
  });

  it('fails an example that throws, and one that exits non-zero', async () => {
    const thrown = await runTs("throw new Error('this example is broken');\n");
    expect(thrown.code).not.toBe(0);
    expect(thrown.output).toContain('this example is broken');
    const shell = await runSh('gcs-lock status gs://runner-check/missing-lock\n');
    // A free lock: `status` exits 1, and -e makes the block fail.
    expect(shell.code).toBe(1);
  });

  it('runs TypeScript examples against this tree, on the local server', async () => {
    const outcome = await runTs(
      [
        "import { Lock } from 'gcs-lock';",
        "const lock = new Lock('gs://runner-check/probe');",
        'const info = await lock.run(async () => lock.inspect());',
        "if (info === null || process.env.STORAGE_EMULATOR_HOST === undefined) throw new Error('not held');",
        'console.log(`held with token ${info.token}`);',
      ].join('\n'),
    );
    expect(outcome.output).toMatch(/held with token \d+/);
    expect(outcome.code).toBe(0);
  });

  it('runs JavaScript examples untranspiled: `await using` parses only from Node 24', async () => {
    const outcome = await runJs('{ await using held = { async [Symbol.asyncDispose]() {} }; }\n');
    const major = Number(process.versions.node.split('.')[0]);
    if (major >= 24) expect(outcome.code).toBe(0);
    else expect(outcome.output).toContain('SyntaxError');
  });

  it('parses fences, info strings and bucket names', () => {
    const parsed = extractBlocks(
      join(ROOT, 'virtual.md'),
      [
        '````md',
        '```ts',
        'inner',
        '```',
        '````',
        '```ts no-run',
        "new Lock('gs://a-bucket/x', {}); ({ bucket: 'other-bucket', buckets: ['third'] })",
        '```',
      ].join('\n'),
    );
    expect(parsed.map((block) => [block.lang, block.flags])).toEqual([
      ['md', []],
      ['ts', ['no-run']],
    ]);
    expect(planFor(parsed[1]!)).toEqual({ run: false, why: 'marked no-run' });
    expect(bucketsNamed(parsed[1]!.code).sort()).toEqual(['a-bucket', 'other-bucket', 'third']);
    expect(rewriteImports("import { Lock } from 'gcs-lock';")).toContain('/src/index.ts');
    expect(rewriteImports("import { MemoryStore } from 'gcs-lock/testing';")).toContain(
      '/src/testing/index.ts',
    );
    expect(rewriteImports("import { lockTelemetry } from 'gcs-lock/otel';")).toContain('/src/otel/index.ts');
    expect(rewriteImports("import { Lock } from 'gcs-lock';", 'dist')).toContain('/dist/index.js');
    expect(planFor({ ...parsed[1]!, lang: 'js', flags: [] })).toEqual({ run: 'js' });
  });
});
