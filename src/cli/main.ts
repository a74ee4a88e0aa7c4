#!/usr/bin/env node
/**
 * `gcs-lock`: the command line. Dispatches to one module per command, loaded on demand so that
 * `--help` and the emulator start fast. Every command resolves to an exit code (see exit-codes.ts);
 * errors thrown out of a command are printed by `reportError` with what would be right.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from './args.js';
import { reportError } from './errors.js';
import { ExitCode } from './exit-codes.js';
import { MAIN_HELP } from './help.js';

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./commands/run.js')).runCommand,
  status: async () => (await import('./commands/status.js')).statusCommand,
  list: async () => (await import('./commands/list.js')).listCommand,
  break: async () => (await import('./commands/break.js')).breakCommand,
  doctor: async () => (await import('./commands/doctor.js')).doctorCommand,
  put: async () => (await import('./commands/put.js')).putCommand,
  emulator: async () => (await import('./commands/emulator.js')).emulatorCommand,
  demo: async () => (await import('./commands/demo.js')).demoCommand,
  elect: async () => (await import('./commands/elect.js')).electCommand,
  leader: async () => (await import('./commands/leader.js')).leaderCommand,
  // Internal: one contender in `gcs-lock demo`, started by it over IPC. Not in the help.
  'demo-worker': async () => (await import('./commands/demo-worker.js')).demoWorkerCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    process.stderr.write(`${MAIN_HELP}\n`);
    return ExitCode.USAGE;
  }
  if (name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(`${MAIN_HELP}\n`);
    return ExitCode.OK;
  }
  if (name === '-V' || name === '--version') {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    process.stdout.write(`gcs-lock ${pkg.version}\n`);
    return ExitCode.OK;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  try {
    if (!load) throw new UsageError(unknownCommand(name));
    return await (
      await load()
    )(args);
  } catch (error) {
    return reportError(error);
  }
}

function unknownCommand(name: string): string {
  const known = Object.keys(COMMANDS).filter((command) => command !== 'demo-worker');
  if (name.startsWith('gs://')) {
    return `a command comes first: gcs-lock run ${name} -- COMMAND (or status, list, break)`;
  }
  return `unknown command ${JSON.stringify(name)}: expected one of ${known.join(', ')}`;
}

// Exit explicitly: a command is over when it returns, even if a library timer or socket lingers.
process.exit(await main(process.argv.slice(2)));
