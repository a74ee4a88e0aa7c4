import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli } from './helpers.js';

beforeAll(ensureBuilt);

describe('gcs-lock (main)', () => {
  it('prints the overview with every command and every exit code', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['run', 'status', 'list', 'break', 'emulator', 'demo']) {
      expect(result.stdout).toContain(`gcs-lock ${command}`);
    }
    for (const code of ['64', '65', '69', '75', '77', '78', '126/127', '128+N'])
      expect(result.stdout).toContain(code);
    expect(result.stdout).not.toContain('demo-worker');
  });

  it.each(['run', 'status', 'list', 'break', 'emulator', 'demo'])(
    '%s --help has usage and an example',
    async (command) => {
      const result = await runCli([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Usage: gcs-lock /);
      expect(result.stdout).toMatch(/Examples?:\n {2}(npx )?gcs-lock /);
    },
  );

  it('prints the version', async () => {
    expect((await runCli(['--version'])).stdout).toMatch(/^gcs-lock \d+\.\d+\.\d+/);
  });

  it('explains an unknown command, a missing command and a URL given first', async () => {
    const unknown = await runCli(['lock', 'gs://b/o']);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toMatch(
      /unknown command "lock": expected one of run, status, list, break, doctor, put, emulator, demo, elect, leader/,
    );
    expect((await runCli([])).code).toBe(64);
    expect((await runCli(['gs://bkt/o'])).stderr).toMatch(/gcs-lock run gs:\/\/bkt\/o -- COMMAND/);
    const option = await runCli(['status', 'gs://bkt/o', '--bogus']);
    expect(option.code).toBe(64);
    expect(option.stderr).toMatch(/status: Unknown option '--bogus'/);
  });

  it('explains a missing credential with the three places ADC looks (exit 78)', async () => {
    // No emulator, no endpoint, ADC pointed at a file that does not exist: fails before any request.
    const result = await runCli(['status', 'gs://bkt/o'], {
      GOOGLE_APPLICATION_CREDENTIALS: '/nonexistent/gcs-lock-test-key.json',
      HOME: '/nonexistent',
      CLOUDSDK_CONFIG: '/nonexistent',
      GCE_METADATA_HOST: '127.0.0.1:9',
      METADATA_SERVER_DETECTION: 'none',
    });
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(/GOOGLE_APPLICATION_CREDENTIALS/);
    expect(result.stderr).toMatch(/gcloud auth application-default login/);
    expect(result.stderr).toMatch(/metadata server/);
  });
});
