import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli, startCli, type CliProcess } from '../helpers.js';

let emulator: CliProcess;
let endpoint: string;
beforeAll(async () => {
  await ensureBuilt();
  emulator = startCli(['emulator', '--port', '0', '--bucket', 'emu-bucket']);
  await emulator.waitForOutput(/export STORAGE_EMULATOR_HOST=\S+\n/, 'stdout');
  endpoint = /export STORAGE_EMULATOR_HOST=(\S+)\n/.exec(emulator.stdout)![1]!;
});
afterAll(() => {
  if (emulator.child.exitCode === null) emulator.child.kill('SIGKILL');
});

describe('gcs-lock emulator', () => {
  it('prints its URL and serves the lock through STORAGE_EMULATOR_HOST', async () => {
    expect(emulator.stdout).toMatch(
      /^gcs-lock emulator listening on http:\/\/127\.0\.0\.1:\d+ with bucket emu-bucket\n/,
    );
    const run = await runCli(
      ['run', 'gs://emu-bucket/x', '--', process.execPath, '-e', 'console.log(process.env.GCS_LOCK_TOKEN)'],
      {
        STORAGE_EMULATOR_HOST: endpoint,
      },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\d+\n$/);
    expect((await runCli(['status', 'gs://emu-bucket/x'], { STORAGE_EMULATOR_HOST: endpoint })).code).toBe(1);
  });

  it('stops cleanly on SIGTERM', async () => {
    emulator.child.kill('SIGTERM');
    const result = await emulator.done;
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/SIGTERM, stopping/);
  });
});

describe('gcs-lock emulator --data-dir', () => {
  it('keeps a lock across a restart (a holder that crashed is still seen)', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dataDir = mkdtempSync(join(tmpdir(), 'gcs-lock-emulator-'));
    const start = async (): Promise<{ emulator: CliProcess; env: Record<string, string> }> => {
      const emulator = startCli([
        'emulator',
        '--port',
        '0',
        '--bucket',
        'kept',
        '--data-dir',
        dataDir,
        '--rate-limit',
      ]);
      await emulator.waitForOutput(/export STORAGE_EMULATOR_HOST=\S+\n/, 'stdout');
      return {
        emulator,
        env: { STORAGE_EMULATOR_HOST: /export STORAGE_EMULATOR_HOST=(\S+)\n/.exec(emulator.stdout)![1]! },
      };
    };

    const first = await start();
    // The command outlives its killed gcs-lock, so it ends by itself.
    const holder = startCli(
      ['run', 'gs://kept/l', '--ttl', '1h', '--', process.execPath, '-e', 'setTimeout(() => {}, 3000)'],
      first.env,
    );
    let status = await runCli(['status', 'gs://kept/l', '--json'], first.env);
    while (status.code !== 0) status = await runCli(['status', 'gs://kept/l', '--json'], first.env);
    const { lock } = JSON.parse(status.stdout) as { lock: { token: string } };
    holder.child.kill('SIGKILL'); // crashed: the lock object stays
    await holder.exited;
    first.emulator.child.kill('SIGINT');
    expect((await first.emulator.done).code).toBe(0);

    const second = await start();
    try {
      const again = await runCli(['status', 'gs://kept/l', '--json'], second.env);
      expect(again.code).toBe(0);
      expect((JSON.parse(again.stdout) as { lock: { token: string } }).lock.token).toBe(lock.token);
    } finally {
      second.emulator.child.kill('SIGTERM');
      await second.emulator.done;
    }
  });
});

describe('gcs-lock emulator: start-up failures are one line and an exit code of their own', () => {
  const noStack = (stderr: string): void => {
    expect(stderr).not.toMatch(/internal error|\n\s+at /);
  };

  it('a taken port: exit 71, naming the port and --port', async () => {
    const { startServer } = await import('../../../src/server/start-server.js');
    await using taken = await startServer();
    const result = await runCli(['emulator', '--port', String(taken.port)]);
    expect(result.code).toBe(71);
    expect(result.stderr).toBe(
      `gcs-lock: emulator: port ${taken.port} on 127.0.0.1 is already in use: stop what holds it, or pick another with --port (0 for any free port)\n`,
    );
  });

  it('a --host that is not an address of this machine, or does not resolve: exit 71', async () => {
    const absent = await runCli(['emulator', '--port', '0', '--host', '192.0.2.1']); // TEST-NET-1: nobody's
    expect(absent.code).toBe(71);
    expect(absent.stderr).toMatch(
      /^gcs-lock: emulator: --host 192\.0\.2\.1 is not an address of this machine/,
    );
    const unresolved = await runCli(['emulator', '--port', '0', '--host', 'no-such-host.invalid']);
    expect(unresolved.code).toBe(71);
    expect(unresolved.stderr).toMatch(
      /--host no-such-host\.invalid (does not resolve|could not be resolved)/,
    );
    noStack(absent.stderr + unresolved.stderr);
  });

  it('a bad --bucket, --control, --generations or size: usage, exit 64, naming the flag', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--bucket', 'UPPER_case'], /--bucket "UPPER_case" is not a bucket name/],
      [['--control', 'maybe'], /--control "maybe": use on or off/],
      [['--generations', 'sorted'], /--generations "sorted": use increasing .* or unordered/],
      [['--max-object-size', '12XB'], /--max-object-size "12XB" is not a size/],
      [
        ['--max-object-size', '1GiB', '--max-buffered', '1MiB'],
        /--max-buffered .* must be at least --max-object-size/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['emulator', '--port', '0', ...args]);
      expect(result.code, args.join(' ')).toBe(64);
      expect(result.stderr).toMatch(message);
      noStack(result.stderr);
    }
  });

  it('an unusable --data-dir: exit 73, naming it', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const file = join(mkdtempSync(join(tmpdir(), 'gcs-lock-emulator-')), 'a-file');
    writeFileSync(file, 'not a directory');
    const result = await runCli(['emulator', '--port', '0', '--data-dir', file]);
    expect(result.code).toBe(73);
    expect(result.stderr).toMatch(new RegExp(`^gcs-lock: emulator: --data-dir ${file}: .*(EEXIST|ENOTDIR)`));
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('gcs-lock emulator: running it', () => {
  it('--help says how to run it in the background and stop it', async () => {
    const help = await runCli(['emulator', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--pid-file emulator\.pid &/);
    expect(help.stdout).toMatch(/kill "\$\(cat emulator\.pid\)"/);
    expect(help.stdout).toMatch(/npx and npm exec do not pass signals on/);
  });

  it('--pid-file holds its pid once it listens; SIGTERM to that pid stops it and removes the file', async () => {
    const { existsSync, mkdtempSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const pidFile = join(mkdtempSync(join(tmpdir(), 'gcs-lock-emulator-')), 'emulator.pid');
    const emulator = startCli(['emulator', '--port', '0', '--pid-file', pidFile]);
    await emulator.waitForOutput(/export STORAGE_EMULATOR_HOST=\S+\n/, 'stdout');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(pid).toBe(emulator.child.pid);
    process.kill(pid, 'SIGTERM');
    expect((await emulator.done).code).toBe(0);
    expect(existsSync(pidFile)).toBe(false);
  });

  it('--control off removes the control endpoint; GCS_LOCK_CONTROL_TOKEN makes it ask for the token', async () => {
    const { ControlClient } = await import('../../../src/server/control-client.js');
    const start = async (args: string[], env: Record<string, string> = {}) => {
      const emulator = startCli(['emulator', '--port', '0', ...args], env);
      await emulator.waitForOutput(/export STORAGE_EMULATOR_HOST=\S+\n/, 'stdout');
      return { emulator, url: /export STORAGE_EMULATOR_HOST=(\S+)\n/.exec(emulator.stdout)![1]! };
    };
    const off = await start(['--control', 'off']);
    const tokened = await start([], { GCS_LOCK_CONTROL_TOKEN: 'emulator-token' });
    try {
      await expect(new ControlClient(off.url, { token: undefined }).faults()).rejects.toThrow(/404/);
      await expect(new ControlClient(tokened.url, { token: 'wrong' }).faults()).rejects.toThrow(/403/);
      expect((await new ControlClient(tokened.url, { token: 'emulator-token' }).faults()).rules).toEqual([]);
      expect(tokened.emulator.stderr).not.toContain('emulator-token');
    } finally {
      off.emulator.child.kill('SIGTERM');
      tokened.emulator.child.kill('SIGTERM');
      await Promise.all([off.emulator.done, tokened.emulator.done]);
    }
  });
});
