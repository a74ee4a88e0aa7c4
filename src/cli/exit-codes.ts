import { constants } from 'node:os';

/**
 * Every exit status gcs-lock itself chooses, in one place. `run` otherwise exits with its command's
 * own status, so codes 2–125 from `run` are normally the command's; the codes below were picked from
 * sysexits(3) to be unlikely in ordinary programs, and are documented in `gcs-lock --help`.
 *
 * | code  | name          | when |
 * |-------|---------------|------|
 * | 0     | OK            | success; `run`: the command exited 0; `status`: the lock is held |
 * | 1     | CONFLICT      | `run`: the lock is held (`-n`) or the wait ran out (`-w`); change it with `-E N`. `status`: free. `break`: nothing was broken (wrong token, or no lock). `demo`: a check failed |
 * | 2     | STALE         | `status`: a lock object whose lease has expired (the next acquirer takes it over) |
 * | 64    | USAGE         | bad command line: unknown option, bad `gs://` URL, missing `--` before the command |
 * | 65    | NOT_A_LOCK    | the object is not a gcs-lock lock object (someone else wrote it) |
 * | 69    | UNAVAILABLE   | storage failed: network error, or 429/5xx that kept failing, or a missing bucket |
 * | 70    | INTERNAL      | a bug in gcs-lock |
 * | 71    | CANNOT_LISTEN | `emulator`: the port is taken, or `--host` is not an address of this machine |
 * | 73    | DATA_DIR      | `emulator`: the `--data-dir` cannot be read, written or understood |
 * | 74    | NOT_RELEASED  | `run`: the command exited 0, but the lock could not be released (storage failing, or the release interrupted by a signal): it is left to expire |
 * | 75    | LOST          | `run`: the lease was lost while the command ran; the command was terminated |
 * | 77    | PERMISSION    | storage refused the credentials (401/403) |
 * | 78    | CONFIG        | configuration: no credentials found, bad endpoint |
 * | 126   | CANNOT_EXECUTE| `run`: the command exists but cannot be executed |
 * | 127   | NOT_FOUND     | `run`: the command was not found |
 * | 128+N | (signal)      | `run`: the command was killed by signal N; or gcs-lock was interrupted while waiting (130 SIGINT, 143 SIGTERM) |
 */
export const ExitCode = {
  OK: 0,
  CONFLICT: 1,
  STALE: 2,
  USAGE: 64,
  NOT_A_LOCK: 65,
  UNAVAILABLE: 69,
  INTERNAL: 70,
  CANNOT_LISTEN: 71,
  DATA_DIR: 73,
  NOT_RELEASED: 74,
  LOST: 75,
  PERMISSION: 77,
  CONFIG: 78,
  CANNOT_EXECUTE: 126,
  NOT_FOUND: 127,
} as const;

/** The exit status a shell reports for a process killed by `signal`: 128 + its number. */
export function signalExitCode(signal: NodeJS.Signals): number {
  const number = (constants.signals as Record<string, number | undefined>)[signal];
  return 128 + (number ?? 0);
}

/** The table above, for `--help`. */
export const EXIT_CODES_HELP = `Exit status:
  0        success; run: the command exited 0; status: the lock is held
  1        run: the lock is held (-n) or the wait ran out (-w) (change with -E N);
           status: free; break: nothing broken (wrong token, or no lock); demo: a check failed
  2        status: the lock object's lease has expired (stale; the next acquirer takes it over)
  64       usage: unknown option, bad gs:// URL, missing -- before the command
  65       the object is not a gcs-lock lock object
  69       storage unavailable: network error, repeated 429/5xx, missing bucket
  70       internal error
  71       emulator: cannot listen (the port is taken, or --host is not an address here)
  73       emulator: the --data-dir cannot be read, written or understood
  74       run: the command exited 0 but the lock could not be released (storage
           failing, or the release interrupted): it is left to expire on its own
  75       run: the lease was LOST while the command ran; the command was terminated
  77       permission denied by storage (401/403)
  78       configuration: no credentials found, bad endpoint
  126/127  run: the command cannot be executed / was not found
  128+N    run: the command was killed by signal N; gcs-lock interrupted while
           waiting for the lock: 130 (SIGINT), 143 (SIGTERM)
  other    run: the command's own exit status`;
