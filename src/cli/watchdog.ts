import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * The watchdog: a `/bin/sh` process in a session of its own that makes the command's process group
 * die with gcs-lock. gcs-lock holds the write end of its stdin. It writes the group id once the
 * command has started, and `done` once the group is gone. End of file without `done` means gcs-lock
 * died (SIGKILL, the OOM killer, a CI runner's timeout): the watchdog then sends SIGTERM to the group,
 * and SIGKILL after the grace unless the group is gone by then. Without it the command would be
 * re-parented to init and run on while, one ttl later, a second holder starts.
 *
 * It is also a witness. It sits where the command sits (a child of gcs-lock, in its own session, in
 * the same cgroup), so a signal sent to a whole control group (systemd's stop) or to a whole process
 * tree reaches it too. It reports each signal it gets on stdout; gcs-lock then knows the command got
 * that signal directly and must not get it a second time (see signal-relay.ts). A terminal's Ctrl-C
 * reaches only gcs-lock's own process group, so the watchdog reports nothing and gcs-lock forwards.
 *
 * Why `sh`: it starts in a millisecond or two and takes about a megabyte; it is started before the
 * command, so the only window in which a SIGKILL of gcs-lock leaves the command unwatched is the
 * write of the group id right after the command's fork (microseconds).
 */
// Notes on the script, line by line:
// - SIGPIPE is ignored: reporting a signal to a gcs-lock that is gone must not kill the watchdog.
// - Each report also sets `t`: dash returns from `read` with status 1 when a trapped signal
//   interrupts it, which looks like end of file; `t` tells the two apart (bash resumes the read).
//   A real end of file read again is still end of file, so a signal racing it cannot hide it.
// - Only a whole line counts, so a group id cut short by gcs-lock's death is never used; a line cut
//   by an interruption is kept in `buf` and completed by the next read.
// - After SIGTERM, the group is polled every $2 seconds ($1 times: the grace) and gets SIGKILL when
//   the grace is over (or never, if it is gone: its id could by then belong to someone else). The
//   tick is a tenth of the grace (20 to 100 ms), so a short grace is not overshot by a whole tick.
const SCRIPT = `trap '' PIPE
for s in INT TERM HUP QUIT USR1 USR2 WINCH; do trap "t=1; echo $s" "$s"; done
t= buf= pgid=
while :; do
  line=
  if IFS= read -r line; then
    line="$buf$line" buf=
    case $line in done) exit 0 ;; pgid=[0-9]*) pgid=\${line#pgid=} ;; esac
  else
    buf="$buf$line"
    if [ -n "$t" ]; then t=; continue; fi
    break
  fi
done
[ -n "$pgid" ] || exit 0
kill -TERM "-$pgid" 2>/dev/null || exit 0
i=0
while [ "$i" -lt "$1" ] && kill -0 "-$pgid" 2>/dev/null; do sleep "$2"; i=$((i + 1)); done
kill -KILL "-$pgid" 2>/dev/null
exit 0`;

/** The signals the watchdog reports when it receives them (the ones gcs-lock forwards). */
export const WITNESSED_SIGNALS: readonly NodeJS.Signals[] = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
  'SIGWINCH',
];

/** A started watchdog: arm it with the command's group, disarm it once the group is gone. */
export interface Watchdog {
  readonly pid: number | undefined;
  /** Tells the watchdog which process group to kill if gcs-lock dies. */
  arm(pgid: number): void;
  /** The group is gone (or never started): the watchdog exits without killing anything. */
  disarm(): Promise<void>;
}

/**
 * Starts the watchdog (before the command, see above). `graceMs` is the time between its SIGTERM and
 * SIGKILL; `onWitness` is called with each signal it received; `onError` if it could not start (no
 * /bin/sh): the command then runs without that protection.
 */
export function startWatchdog(
  graceMs: number,
  onWitness: (signal: NodeJS.Signals) => void,
  onError: (error: Error) => void,
): Watchdog {
  const tickMs = Math.min(100, Math.max(20, Math.floor(graceMs / 10)));
  const ticks = Math.floor(graceMs / tickMs);
  // The script travels in the environment, so that `ps` shows a short, recognisable command line:
  // /bin/sh -c eval "$GCS_LOCK_WATCHDOG" gcs-lock-watchdog TICKS TICK_SECONDS
  const child: ChildProcess = spawn(
    '/bin/sh',
    ['-c', 'eval "$GCS_LOCK_WATCHDOG"', 'gcs-lock-watchdog', String(ticks), String(tickMs / 1000)],
    {
      // Its own session: a terminal's Ctrl-C or a kill of gcs-lock's group does not reach it.
      detached: true,
      stdio: ['pipe', 'pipe', 'ignore'],
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', GCS_LOCK_WATCHDOG: SCRIPT },
    },
  );
  // It must never keep gcs-lock alive, nor make it crash: a watchdog that failed to start, or was
  // killed, only costs the protection, and writes to it then fail with EPIPE, which is ignored.
  child.unref();
  child.once('error', onError);
  child.stdin?.on('error', () => {});
  const stdout = child.stdout;
  if (stdout) {
    (stdout as unknown as { unref?: () => void }).unref?.();
    createInterface({ input: stdout }).on('line', (line) => {
      const signal = `SIG${line.trim()}` as NodeJS.Signals;
      if (WITNESSED_SIGNALS.includes(signal)) onWitness(signal);
    });
  }
  let disarmed: Promise<void> | undefined;
  return {
    pid: child.pid,
    arm(pgid) {
      // A pipe write this small goes straight to the kernel (libuv writes at once when nothing is
      // queued), so the id is there for the watchdog even if gcs-lock dies right after.
      child.stdin?.write(`pgid=${pgid}\n`);
    },
    disarm() {
      disarmed ??= new Promise<void>((resolve) => {
        const stdin = child.stdin;
        if (!stdin || stdin.destroyed) return resolve();
        stdin.end('done\n', () => resolve());
        // An EPIPE (the watchdog is gone) ends the write with an error instead of the callback.
        stdin.once('error', () => resolve());
      });
      return disarmed;
    },
  };
}
