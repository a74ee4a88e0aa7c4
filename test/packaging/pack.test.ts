/**
 * The package as a user gets it, packed the way `npm publish` packs it: a `git clone` of this working
 * tree (with its uncommitted changes laid over, so the test sees what the next commit would ship),
 * `npm ci` there, then `npm pack`, whose `prepack` script builds dist/ from scratch. The tarball is
 * installed into an empty project and used there: `import`, `require` (where Node allows require(esm)),
 * `gcs-lock/testing`, `gcs-lock/otel` (absent @opentelemetry/api, then present), the types (tsc on
 * consumer files, with node16 and with node10 resolution) and the `gcs-lock` binary. Then the contents
 * are checked with publint and @arethetypeswrong/cli, and by hand: no tests, no sources, no source
 * maps, an `exports` map with `types` first whose every target is in the tarball.
 *
 * Installing needs the npm registry only for packages missing from the local npm cache, which is
 * tried first (`--prefer-offline`): after the repository's own `npm ci`, that is normally none.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../docs/markdown-examples.js';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string, timeoutMs = 90_000): Promise<Result> {
  return new Promise((resolve, reject) => {
    const { STORAGE_EMULATOR_HOST: _, ...env } = process.env;
    const child = spawn(command, args, { cwd, env: { ...env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function ok(result: Result, what: string): Result {
  if (result.code !== 0) {
    throw new Error(
      `${what} exited ${result.code}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`,
    );
  }
  return result;
}

/** require(esm) without a flag: Node 20.19+, 22.12+, 23+. */
function requireEsmSupported(): boolean {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major >= 23 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19);
}

const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';

let dir: string;
let consumer: string;
let tarball: string;
let files: string[];
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  exports: Record<string, string | Record<string, string>>;
  bin: Record<string, string>;
  engines: { node: string };
};

/** A clean clone of this repository, with the working tree's uncommitted changes laid over it. */
async function cleanClone(into: string): Promise<void> {
  ok(await run('git', ['clone', '--quiet', '--no-hardlinks', ROOT, into], dir), 'git clone');
  const listed = (args: string[]): Promise<string[]> =>
    run('git', ['ls-files', '-z', ...args], ROOT).then((result) =>
      ok(result, `git ls-files ${args.join(' ')}`)
        .stdout.split('\0')
        .filter(Boolean),
    );
  for (const file of await listed(['--modified', '--others', '--exclude-standard'])) {
    if (!existsSync(join(ROOT, file))) continue;
    mkdirSync(dirname(join(into, file)), { recursive: true });
    cpSync(join(ROOT, file), join(into, file));
  }
  for (const file of await listed(['--deleted'])) rmSync(join(into, file), { force: true });
}

/**
 * Type-checks `source` as `file` in the consumer project with tsc: strict, NodeNext resolution unless
 * `options` say otherwise. Resolves tsc's output (empty when it passed) and its exit code.
 */
async function typecheck(
  file: string,
  source: string[],
  options: Record<string, unknown> = {},
): Promise<{ output: string; code: number | null }> {
  const config = `tsconfig.${file.replace(/\.ts$/, '')}.json`;
  const compilerOptions = {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noEmit: true,
    // The package's own .d.ts files are checked too, not skipped.
    skipLibCheck: false,
    typeRoots: [join(ROOT, 'node_modules/@types')],
    types: ['node'],
    ...options,
  };
  writeFileSync(join(consumer, config), JSON.stringify({ compilerOptions, files: [file] }));
  writeFileSync(join(consumer, file), source.join('\n'));
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  // tsc on a whole consumer project: tens of seconds on a busy 2-core machine.
  const result = await run(process.execPath, [tsc, '-p', config], consumer, 170_000);
  return { output: `${result.stdout}${result.stderr}`, code: result.code };
}

const QUIET = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gcs-lock-pack-'));
  const clone = join(dir, 'clone');
  await cleanClone(clone);
  expect(existsSync(join(clone, 'dist')), 'a clean clone has no dist/').toBe(false);
  // --ignore-scripts: no dependency needs an install script to build gcs-lock (tsc only).
  ok(await run(NPM, ['ci', '--ignore-scripts', ...QUIET], clone, 240_000), 'npm ci in the clone');
  // No --ignore-scripts: `prepack` must build dist/, as it will for `npm publish`.
  const packed = ok(
    await run(NPM, ['pack', '--json', '--pack-destination', dir], clone, 240_000),
    'npm pack in the clone',
  );
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.search(/^\[/m))) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  tarball = join(dir, info!.filename);
  files = info!.files.map((file) => file.path).sort();

  consumer = join(dir, 'consumer');
  mkdirSync(consumer);
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }),
  );
  ok(await run(NPM, ['install', '--ignore-scripts', ...QUIET, tarball], consumer), 'npm install <tarball>');
}, 600_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 120_000);

// tsc and npm are slow on a busy machine: minutes, not the default 30 s.
describe('the installed package', { timeout: 180_000 }, () => {
  it("works with import { Lock } from 'gcs-lock'", async () => {
    const script = [
      "import { Lock, LockHeldError } from 'gcs-lock';",
      "import { MemoryStore } from 'gcs-lock/testing';",
      "const store = new MemoryStore({ buckets: ['pack-test'] });",
      "const lock = new Lock('gs://pack-test/job', { store });",
      'const token = await lock.run(async (_signal, lease) => lease.token);',
      "console.log(JSON.stringify({ token, held: typeof LockHeldError, url: import.meta.resolve('gcs-lock') }));",
    ].join('\n');
    const result = ok(await run(process.execPath, ['--input-type=module', '-e', script], consumer), 'import');
    const out = JSON.parse(result.stdout) as { token: string; held: string; url: string };
    expect(out.token).toMatch(/^\d+$/);
    expect(out.held).toBe('function');
    // Resolved from the installed copy, not from this repository.
    expect(out.url).toContain(`${consumer}/node_modules/gcs-lock/dist/index.js`);
  });

  it.skipIf(!requireEsmSupported())(
    `works with require('gcs-lock')${requireEsmSupported() ? '' : ` — skipped: Node ${process.versions.node} cannot require() ES modules without a flag (needs 20.19+, 22.12+ or 23+)`}`,
    async () => {
      const script =
        "const { Lock, StorageError } = require('gcs-lock'); console.log(typeof Lock, typeof StorageError);";
      const result = ok(await run(process.execPath, ['-e', script], consumer), 'require');
      expect(result.stdout.trim()).toBe('function function');
    },
  );

  it("starts a local server from 'gcs-lock/testing' and locks through it over HTTP", async () => {
    const script = [
      "import { Lock } from 'gcs-lock';",
      "import { startServer } from 'gcs-lock/testing';",
      // No `await using` here: Node 20 cannot run it untranspiled.
      "const server = await startServer({ buckets: ['pack-test'] });",
      'try {',
      "  const lock = new Lock('gs://pack-test/job', { endpoint: server.url });",
      '  const lease = await lock.acquire();',
      '  const info = await lock.inspect();',
      '  await lease.release();',
      '  const free = (await lock.inspect()) === null;',
      '  console.log(JSON.stringify({ url: server.url, same: info?.token === lease.token, free }));',
      '} finally {',
      '  await server.close();',
      '}',
    ].join('\n');
    const result = ok(
      await run(process.execPath, ['--input-type=module', '-e', script], consumer),
      'testing',
    );
    const out = JSON.parse(result.stdout) as { url: string; same: boolean; free: boolean };
    expect(out.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(out).toMatchObject({ same: true, free: true });
  });

  it('has types that a strict TypeScript consumer can use', async () => {
    const result = await typecheck('consumer.ts', [
      "import { Lock, LockHeldError, StorageError, type Lease, type LockInfo, type LockEvent } from 'gcs-lock';",
      "import { MemoryStore, startServer, type RunningServer } from 'gcs-lock/testing';",
      '',
      "const lock = new Lock('gs://pack-test/job', { store: new MemoryStore({ buckets: ['pack-test'] }), onEvent: (e: LockEvent) => e.type });",
      'const lease: Lease | null = await lock.tryAcquire();',
      'const token: string | undefined = lease?.token;',
      'const info: LockInfo | null = await lock.inspect();',
      'const status: number | undefined = new StorageError("GET", 503, "x").status;',
      'const server: RunningServer = await startServer();',
      '// @ts-expect-error: ttl is a number of milliseconds',
      "new Lock('gs://pack-test/job', { ttl: '60s' });",
      'export { token, info, status, server, LockHeldError };',
    ]);
    expect(result).toEqual({ output: '', code: 0 });
  });

  it('has types with the legacy node10 resolution too (the types and typesVersions fields)', async () => {
    const source = [
      "import { Lock, type LockEvent } from 'gcs-lock';",
      "import { MemoryStore } from 'gcs-lock/testing';",
      "const lock: Lock = new Lock('gs://pack-test/job', { store: new MemoryStore(), onEvent: (e: LockEvent) => e.type });",
      '// @ts-expect-error: ttl is a number of milliseconds',
      "new Lock('gs://pack-test/job', { ttl: '60s' });",
      'export { lock };',
    ];
    const result = await typecheck('legacy.ts', source, {
      module: 'ESNext',
      moduleResolution: 'node10',
      skipLibCheck: true,
    });
    expect(result).toEqual({ output: '', code: 0 });
  });

  it('needs no @opentelemetry/api for gcs-lock, and names it when gcs-lock/otel is imported without it', async () => {
    expect(existsSync(join(consumer, 'node_modules/@opentelemetry/api'))).toBe(false);
    const plain = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('gcs-lock'); console.log(typeof m.Lock, typeof m.doctor);",
      ],
      consumer,
    );
    expect(ok(plain, 'import gcs-lock').stdout.trim()).toBe('function function');
    const otel = await run(
      process.execPath,
      ['--input-type=module', '-e', "await import('gcs-lock/otel');"],
      consumer,
    );
    expect(otel.code).not.toBe(0);
    expect(otel.stderr).toContain("Cannot find package '@opentelemetry/api'");
  });

  it('records through gcs-lock/otel once @opentelemetry/api is installed, with its types', async () => {
    ok(
      await run(NPM, ['install', '--ignore-scripts', ...QUIET, '@opentelemetry/api@~1.9.0'], consumer),
      'npm install api',
    );
    const script = [
      "import { Lock } from 'gcs-lock';",
      "import { MemoryStore } from 'gcs-lock/testing';",
      "import { lockTelemetry, METRIC_NAMES } from 'gcs-lock/otel';",
      'const telemetry = lockTelemetry();', // the global no-op providers: nothing to export, nothing breaks
      "const lock = new Lock('gs://pack-test/otel', telemetry.instrument({ store: new MemoryStore({ buckets: ['pack-test'] }) }));",
      'await lock.run(async () => {});',
      'console.log(METRIC_NAMES.wait);',
    ].join('\n');
    const result = ok(await run(process.execPath, ['--input-type=module', '-e', script], consumer), 'otel');
    expect(result.stdout.trim()).toBe('gcs_lock.wait.duration');
    const types = await typecheck('otel.ts', [
      "import { Lock, type LockOptions } from 'gcs-lock';",
      "import { lockTelemetry, type LockTelemetry } from 'gcs-lock/otel';",
      'const telemetry: LockTelemetry = lockTelemetry({ lockAttribute: false });',
      "const options: LockOptions = telemetry.instrument({ ttl: 60_000, endpoint: 'http://127.0.0.1:1' });",
      "export const lock = new Lock('gs://pack-test/otel', options);",
      '// @ts-expect-error: lockAttribute is a boolean',
      "lockTelemetry({ lockAttribute: 'no' });",
    ]);
    expect(types).toEqual({ output: '', code: 0 });
  });

  it('runs the gcs-lock binary (npx gcs-lock --help)', async () => {
    const result = ok(await run(NPX, ['--no', '--', 'gcs-lock', '--help'], consumer), 'npx gcs-lock --help');
    expect(result.stdout).toContain('gcs-lock run gs://BUCKET/OBJECT');
    const version = ok(await run(NPX, ['--no', '--', 'gcs-lock', '--version'], consumer), 'npx gcs-lock');
    expect(version.stdout.trim()).toBe(`gcs-lock ${pkg.version}`);
  });
});

describe('the package contents', { timeout: 180_000 }, () => {
  it('holds the built entry points, the binary and the documents, and nothing else', () => {
    for (const expected of [
      'package.json',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/testing/index.js',
      'dist/testing/index.d.ts',
      'dist/otel/index.js',
      'dist/otel/index.d.ts',
      'dist/cli/main.js',
    ]) {
      expect(files, expected).toContain(expected);
    }
    const unexpected = files.filter(
      (file) =>
        !/^(package\.json|README\.md|LICENSE|CHANGELOG\.md|dist\/.+\.(js|d\.ts))$/.test(file) ||
        /(^|\/)(test|tests|__tests__)\//.test(file) ||
        /\.(test|spec)\./.test(file),
    );
    expect(unexpected).toEqual([]);
  });

  it('has no source maps, and no compiled file points to one', () => {
    expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
    const installed = join(consumer, 'node_modules/gcs-lock');
    const pointing = files
      .filter((file) => file.endsWith('.js') || file.endsWith('.d.ts'))
      .filter((file) => readFileSync(join(installed, file), 'utf8').includes('sourceMappingURL'));
    expect(pointing).toEqual([]);
  });

  it('has an exports map with types first, every target in the tarball, and a runnable bin', () => {
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      if (typeof target === 'string') {
        expect(files, subpath).toContain(target.replace(/^\.\//, ''));
        continue;
      }
      expect(Object.keys(target)[0], `${subpath}: "types" must come first`).toBe('types');
      expect(Object.keys(target), subpath).toContain('default');
      for (const file of Object.values(target)) expect(files, subpath).toContain(file.replace(/^\.\//, ''));
    }
    const bin = pkg.bin['gcs-lock']!.replace(/^\.\//, '');
    expect(files).toContain(bin);
    expect(readFileSync(join(consumer, 'node_modules/gcs-lock', bin), 'utf8')).toMatch(
      /^#!\/usr\/bin\/env node\n/,
    );
    expect(pkg.engines.node).toBe('>=20');
  });

  it('passes publint', async () => {
    const { publint } = await import('publint');
    const { formatMessage } = await import('publint/utils');
    const data = readFileSync(tarball);
    const tarballBuffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
    const { messages, pkg: linted } = await publint({
      pack: { tarball: tarballBuffer },
      level: 'suggestion',
    });
    expect(messages.map((message) => formatMessage(message, linted) ?? message.code)).toEqual([]);
  });

  it('passes @arethetypeswrong/cli with the esm-only profile', async () => {
    const attw = join(ROOT, 'node_modules/@arethetypeswrong/cli/dist/index.js');
    const result = await run(
      process.execPath,
      [attw, tarball, '--profile', 'esm-only', '--format', 'json'],
      ROOT,
    );
    const report = JSON.parse(result.stdout) as {
      problems?: Record<string, Array<{ kind: string; entrypoint: string; resolutionKind: string }>>;
    };
    // esm-only ignores the CommonJS resolution modes (node10 and require() from node16 CJS); any
    // problem in the ESM modes (node16 from ESM, bundler) fails.
    const problems = Object.values(report.problems ?? {})
      .flat()
      .filter((problem) => !['node10', 'node16-cjs'].includes(problem.resolutionKind));
    expect(problems).toEqual([]);
    expect(result.code).toBe(0);
  });
});
