import { EXIT_CODES_HELP } from './exit-codes.js';

export const ENDPOINT_HELP = `Where GCS is:
  --endpoint URL   the GCS JSON API's base URL, e.g. http://127.0.0.1:4443 (a local server);
                   the scheme is required: localhost:4443 alone is an error, not a guess
  otherwise STORAGE_EMULATOR_HOST if set (no credentials are sent), otherwise
  storage.googleapis.com with Application Default Credentials: GOOGLE_APPLICATION_CREDENTIALS,
  then \`gcloud auth application-default login\`, then the metadata server (GCE, Cloud Run, GKE).`;

/** `gcs-lock --help`. */
export const MAIN_HELP = `gcs-lock: flock(1) for the cloud. Mutual exclusion across machines through one object in a
Google Cloud Storage bucket: leases with a ttl, fencing tokens, takeover of crashed holders.

Usage:
  gcs-lock run gs://BUCKET/OBJECT [options] -- COMMAND [ARGS...]   run a command under the lock
  gcs-lock status gs://BUCKET/OBJECT [--json]                       who holds it, until when
  gcs-lock list gs://BUCKET[/PREFIX] [--json]                       the locks under a prefix
  gcs-lock break gs://BUCKET/OBJECT --token TOKEN                   end exactly that lease
  gcs-lock elect gs://BUCKET/OBJECT [options] -- COMMAND [ARGS...] run a command whenever this process leads
  gcs-lock leader gs://BUCKET/OBJECT [--watch] [--json]             who leads an election
  gcs-lock doctor gs://BUCKET[/PREFIX] [--read-only] [--json]       will locks work there, at what cost
  gcs-lock put gs://BUCKET/OBJECT FILE|- --fenced                   a write GCS refuses from a stale holder
  gcs-lock emulator [--port 4443] [--bucket NAME]...                a local GCS server
  gcs-lock demo                                                     watch workers contend, no cloud needed

  gcs-lock COMMAND --help    details and examples for one command
  gcs-lock --version

Examples:
  gcs-lock run gs://my-locks/nightly -- ./nightly-report.sh --full
  gcs-lock run -n gs://my-locks/deploy -- make deploy || echo "another deploy is running"
  gcs-lock status gs://my-locks/nightly
  gcs-lock run --permits 3 gs://my-locks/bq-loads -- ./load.sh    # at most 3 at once
  gcs-lock elect gs://my-locks/leaders/indexer -- ./indexer       # one replica indexes

${ENDPOINT_HELP}

${EXIT_CODES_HELP}`;

/** The options every command that talks to storage takes. */
export const STORE_OPTIONS_HELP = `      --endpoint URL           GCS JSON API base URL, with its scheme (see below)
      --request-timeout DURATION
                               give up one request after this long, then retry it (default 10s)`;

/** `gcs-lock run --help`. */
export const RUN_HELP = `Usage: gcs-lock run gs://BUCKET/OBJECT [options] -- COMMAND [ARGS...]

Acquires the lock (waiting for it by default), runs COMMAND with ARGS exactly as given (no shell),
keeps the lease refreshed while it runs, releases it when the command exits, and exits with the
command's exit status (128+N when the command was killed by signal N).

The command sees GCS_LOCK_URL (the lock), GCS_LOCK_TOKEN (the fencing token: greater than every
earlier lease's, by the protocol) and GCS_LOCK_GENERATION (the lock object's generation, which
\`gcs-lock put --fenced\` uses) in its environment. Pass the token to whatever you protect, so that it
can reject writes from an older lease; or write to GCS with \`gcs-lock put --fenced\`, which GCS
itself refuses once the lock has changed hands.

Nothing the command starts outlives the lease. The command leads a process group (and a session)
of its own, and everything it starts (sh -c, make, npm scripts) is in that group unless it leaves on
purpose (a daemon that calls setsid):
- if the lease is LOST (no refresh got through in time, or someone broke the lock), the whole group
  gets SIGTERM, then SIGKILL after --kill-grace, and gcs-lock exits 75;
- when the command exits, whatever it left running in its group gets SIGTERM, then SIGKILL after
  --kill-grace, before the lock is released: work done under the lock finishes under the lock;
- if gcs-lock itself dies (SIGKILL, the OOM killer, a CI timeout), a watchdog process (sh, in its
  own session) ends the group the same way.
--kill-grace is at most half the loss margin (ttl/10): the holder declares its lease lost ttl/5
before a waiter may judge it expired, so the command has had its SIGKILL before anyone else can hold
the lock, with the other half of the margin left for late timers and clocks. Default 10s, less for
a --ttl under 100s (6s for the default ttl, 1s for --ttl 10s); a longer --kill-grace needs a longer
--ttl.

Signals reach the command exactly once. SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 and
SIGWINCH sent to gcs-lock (a terminal's Ctrl-C, a kill) are passed on to the command's group; a
signal that reached the command directly as well (systemd stopping a unit signals every process) is
not passed on again. Ctrl-Z stops the command with gcs-lock, and fg resumes both. The command reads
stdin and writes to the terminal as before, but has no controlling terminal: a program that opens
/dev/tty itself (ssh, sudo or gpg asking for a password) cannot. While still waiting for the lock,
SIGINT/SIGTERM/SIGHUP stop the wait, leave no lock object behind and exit 130/143/129. While
releasing, they stop the release: the lock is left to expire, and gcs-lock says when.

While it waits, gcs-lock shows one status line on a terminal; anywhere else (a CI log) it writes a
line when the wait starts (who holds the lock, since when, until when), one every 30s, and one when
it acquires. Storage that fails or does not answer is reported within a couple of seconds.

Options:
  -n, --nonblock               fail at once (exit 1, or -E) when the lock is held
  -w, --wait SECONDS           give up (exit 1, or -E) after waiting this long; also 30s, 2m, 1h
  -E, --conflict-exit-code N   exit status for -n/-w when the lock stays held (default 1)
      --ttl DURATION           lease time to live: a crashed holder blocks others this long
                               (default 60s; from 1s to 168h; seconds, or 500ms, 30s, 2m)
      --description TEXT       shown to anyone who runs \`gcs-lock status\`
      --permits N              hold one of N permits of a semaphore at gs://BUCKET/OBJECT instead
                               of the lock: at most N commands run at once (GCS_LOCK_URL is then
                               the permit's own object, and GCS_LOCK_PERMIT its number: tokens
                               grow per permit)
      --kill-grace DURATION    between SIGTERM and SIGKILL to the command's group (default 10s,
                               at most ttl/10: 6s for the default ttl)
${STORE_OPTIONS_HELP}
      --json                   JSON-lines events on stderr (acquired, contended, retrying, lost...)
  -q, --quiet                  no progress messages, no status line; trouble and errors only
  -h, --help

Examples:
  gcs-lock run gs://my-locks/nightly --ttl 2m -- ./report.sh --date today
  gcs-lock run -w 300 -E 3 gs://my-locks/deploy --description "deploy $CI_JOB_ID" -- make deploy
  gcs-lock run -n gs://my-locks/cron-job -- python job.py || exit 0   # skip if a run is in progress
  gcs-lock run gs://my-locks/migrate -- sh -c 'migrate --fencing-token "$GCS_LOCK_TOKEN"'

Platforms: Linux and macOS as above. On Windows there are no process groups: only the command's own
process is stopped on a lost lease, what it started is not, and nothing stops it if gcs-lock dies.

${ENDPOINT_HELP}

${EXIT_CODES_HELP}`;

/** `gcs-lock status --help`. */
export const STATUS_HELP = `Usage: gcs-lock status gs://BUCKET/OBJECT [--json] [--endpoint URL] [--request-timeout DURATION]

Shows whether the lock is held: holder host, pid and description, since when, when the lease expires
(judged on the server's clock) and the fencing token. Reads one object; changes nothing.

Exit status: 0 held, 1 free, 2 stale (its lease expired: the next acquirer takes it over),
65 the object is not a gcs-lock lock; see \`gcs-lock --help\` for the rest.

For a semaphore (\`run --permits N\`), one line per permit; exit 0 when every permit is held,
1 when one is free, 2 when none is free but some are stale. --json adds "semaphore" and "permits".

Options:
  --json            one JSON object on stdout: {"url","name","state":"held"|"free"|"stale","lock":{...}|null}
                    (the keys of each line of \`list --json\`)
  --endpoint URL    GCS JSON API base URL, with its scheme
  --request-timeout DURATION
                    give up one request after this long, then retry it (default 10s)
  -h, --help

Examples:
  gcs-lock status gs://my-locks/nightly
  if gcs-lock status gs://my-locks/deploy > /dev/null; then echo "a deploy is running"; fi
  gcs-lock status gs://my-locks/nightly --json | jq -r .lock.token

${ENDPOINT_HELP}`;

/** `gcs-lock list --help`. */
export const LIST_HELP = `Usage: gcs-lock list gs://BUCKET[/PREFIX] [--json] [--endpoint URL] [--request-timeout DURATION]

Lists the objects under a prefix, one line each: the lock's state (held; STALE for an expired
lease; free for a released lock, with its last holder and last token; waiting for a fair-mode
waiter's ticket; SEMAPHORE for a semaphore's header, whose permits are listed as NAME.slots/N;
NOT-A-LOCK for an object that gcs-lock did not write), its token, holder and expiry. Needs storage.objects.list on the bucket. Changes nothing.

Options:
  --json            JSON lines on stdout, one per object: {"url","name","state":"held"|"stale"|
                    "free"|"waiting"|"not-a-lock","lock":{...}|null,"problem"?} (the keys of
                    \`status --json\`; lock is null when free, as there)
  --endpoint URL    GCS JSON API base URL, with its scheme
  --request-timeout DURATION
                    give up one request after this long, then retry it (default 10s)
  -h, --help

Examples:
  gcs-lock list gs://my-locks
  gcs-lock list gs://my-locks/jobs/

${ENDPOINT_HELP}`;

/** `gcs-lock break --help`. */
export const BREAK_HELP = `Usage: gcs-lock break gs://BUCKET/OBJECT --token TOKEN [--force] [--endpoint URL]

Force-releases exactly the lease with that fencing token, for a holder that is gone for good and
whose ttl you cannot wait out. It reads the lock, then marks that lease released with one write pinned
to it: if the lock was released, taken over or re-acquired since you read the token, nothing changes
and gcs-lock exits 1. The lock object stays (it carries the fencing-token chain); the next holder's
token is higher.

A lease refreshed within its refresh interval (on the server's clock) has a live holder: it is not
broken unless you add --force. A holder that still runs finds out at its next refresh (up to one
refresh interval later) and is told its lease was lost; until then it may run on beside the next
holder: only fencing tokens protect the resource in that window.

Get the token from \`gcs-lock status\`. There is no way to break "whatever is there": that is how two
holders happen.

Options:
  --token TOKEN     the fencing token of the lease to end (required)
  --force           break it even though it was refreshed recently (its holder looks alive)
  --json            the result as one JSON object on stdout
  --endpoint URL    GCS JSON API base URL
  --request-timeout DURATION   the longest one request may take (default 10s)
  -h, --help

Example:
  gcs-lock status gs://my-locks/nightly          # token: 1718000000000001
  gcs-lock break gs://my-locks/nightly --token 1718000000000001

${ENDPOINT_HELP}`;

/** `gcs-lock doctor --help`. */
export const DOCTOR_HELP = `Usage: gcs-lock doctor gs://BUCKET[/PREFIX] [--ttl DURATION] [--refresh-interval DURATION]
                       [--read-only] [--json] [--endpoint URL]

Says whether locks will work in that bucket and what they will cost there. One line per check:
PASS, WARN (works, but costs or confuses), FAIL (locks break, or litter piles up) or SKIP (not
checked, and why), with the reason and the fix (a gcloud command where one exists):

  permissions        storage.objects.create, get, update, delete (and list, which fair-mode
                     waiters need), through testIamPermissions: nothing is written
  retention policy, default event-based hold
                     either refuses the grant that replaces a released lock, and every takeover
  object versioning  every replaced grant is kept; WARN with a lifecycle rule that trims them
  soft delete        every replaced grant is kept and billed for the retention period
  storage class      other than Standard: dearer requests, minimum storage durations
  lifecycle rules    a rule that can delete a live lock (no time condition, or an age within the ttl)
  requester pays     gcs-lock sends no billing project
  server clock       the service's Date header against this machine's clock
  round trip         the median of 5 reads, against the ttl and refresh interval
  lock cycle         unless --read-only: a real acquire, refresh, release, acquire again and release
                     on PREFIX/.gcs-lock-doctor-<random>, with its request count; the doctor then
                     deletes its test object, pinned to its generation (needs storage.objects.delete)

Then what locks cost at that ttl and refresh interval: per hour held, per hour waited, per acquire.
Reading the bucket settings needs storage.buckets.get, which locks themselves do not need.

Exit status: 0 when no check failed, 1 when one did; see \`gcs-lock --help\` for the rest.

Options:
  --ttl DURATION               the ttl your locks use (default 60s)
  --refresh-interval DURATION  their refresh interval (default ttl / 4)
  --read-only                  write nothing: skip the lock cycle
  --json                       the report as one JSON object on stdout: {url, bucket, prefix, ok,
                               summary: {pass, warn, fail, skip}, settings: {ttl, refreshInterval,
                               lossMargin, pollInitial, pollMax, fair} (ms), checks: [{id, title,
                               status, reason, fix?, details?}], cost: {prices, held, waiting,
                               acquireRelease, roundTripMs}}; see docs/operations.md
  --endpoint URL               GCS JSON API base URL
  -h, --help

Examples:
  gcs-lock doctor gs://my-locks
  gcs-lock doctor gs://my-locks/ci/ --ttl 2m --read-only
  gcs-lock doctor gs://my-locks --json | jq -r '.checks[] | select(.status == "fail") | .fix'

${ENDPOINT_HELP}`;

/** `gcs-lock put --help`. */
export const PUT_HELP = `Usage: gcs-lock put gs://BUCKET/OBJECT FILE|- [--fenced] [options]

Writes FILE (or standard input, for -) to gs://BUCKET/OBJECT in one upload.

With --fenced, run under \`gcs-lock run\`: the write is fenced by the lease of the command's lock, so
that GCS itself refuses it once the lock has changed hands (a successor was granted it), however long
this process was paused. It stages the data in a temporary object, then writes the destination with
one compose request whose sources are the lock object pinned to the lease's generation (zero bytes)
and the staged data; then deletes the staged object: three writes. The destination must be in the
lock's bucket, and becomes a composite object (crc32c, no md5). It reads GCS_LOCK_URL,
GCS_LOCK_GENERATION and GCS_LOCK_TOKEN from the environment \`gcs-lock run\` gives its command.

Options:
  --fenced                    fence the write by the lease of the lock this command runs under
  --if-generation-match GEN   write only if the destination's generation is GEN (0: only if absent)
  --content-type TYPE         the destination's content type (default application/octet-stream)
  --json                      the written object's generation and token as JSON on stdout
  --endpoint URL              GCS JSON API base URL
  --request-timeout DURATION  the longest one request may take (default 10s)
  -h, --help

Exit status: 0 written; 75 refused because the lock changed hands (the lease is over: stop);
1 refused because of --if-generation-match; 64 usage; 69 storage unavailable; 77 permission denied.

Example:
  gcs-lock run gs://my-locks/report -- sh -c 'make-report | gcs-lock put gs://my-locks/out/report.csv - --fenced'

${ENDPOINT_HELP}`;

/** `gcs-lock emulator --help`. */
export const EMULATOR_HELP = `Usage: gcs-lock emulator [--port 4443] [--host 127.0.0.1] [--bucket NAME]... [options]

Starts gcs-lock's local GCS server: the GCS JSON API with exact preconditions, generations and
metagenerations, in memory. Point gcs-lock, @google-cloud/storage or other tools at it with
STORAGE_EMULATOR_HOST; gcloud with CLOUDSDK_API_ENDPOINT_OVERRIDES_STORAGE=http://127.0.0.1:4443/
and CLOUDSDK_AUTH_DISABLE_CREDENTIALS=True. Stops on Ctrl-C (SIGINT) or SIGTERM.

Options:
  --port N              port to listen on (default 4443; 0 for any free port)
  --host ADDRESS        address to listen on (default 127.0.0.1; anything else warns: the server
                        has no authentication)
  --bucket NAME         create this bucket at start-up (repeatable)
  --rate-limit          enforce GCS's one write per second per object (429 rateLimitExceeded)
  --data-dir DIR        keep the state in DIR (an append-only log), so it survives a restart
  --control on|off      the control endpoint /_gcs-lock/ for faults, clock and reset (default on);
                        with GCS_LOCK_CONTROL_TOKEN set, it requires that token
  --max-object-size S   largest object an upload may create (default 64MiB)
  --max-buffered S      bytes held at once by request bodies and unfinished uploads
                        (default 256MiB, or 4 x --max-object-size)
  --max-connections N   open connections at once (default 256)
  --upload-session-ttl D  forget a resumable upload idle this long (default 1h)
  --generations ORDER   increasing (default: microsecond-like, as GCS's are in practice) or
                        unordered (unique random 16-digit numbers, as GCS's documentation allows)
  --pid-file FILE       write the server's process id to FILE once it listens; removed on exit
  -h, --help

Example:
  gcs-lock emulator --port 4443 --bucket demo &
  export STORAGE_EMULATOR_HOST=http://127.0.0.1:4443
  gcs-lock run gs://demo/my-lock -- echo hello

In the background, from a script (npx and npm exec do not pass signals on to the server they
start, so stop the server by its own process id, which --pid-file records once it is ready):
  npx gcs-lock emulator --port 4443 --bucket demo --pid-file emulator.pid &
  until [ -s emulator.pid ]; do sleep 0.1; done
  npm test
  kill "$(cat emulator.pid)"     # SIGTERM: it saves --data-dir, removes the file and exits 0`;

/** `gcs-lock demo --help`. */
export const DEMO_HELP = `Usage: gcs-lock demo [--workers N] [--ttl DURATION] [--rounds N]

The whole idea in about twenty seconds, with no cloud: starts the local GCS server, runs several
worker processes that contend for one lock, and kills one of them (SIGKILL) while it holds the lock.
Each line shows who holds the lock, who waits, and the takeover after the crash with its new fencing
token. The closing summary checks, from the intervals the workers report, that at most one worker
held the lock at any time, that fencing tokens only grew, and how long the takeover took compared
with the ttl. Exits 0 when every check passes, 1 otherwise.

Options:
  --workers N       worker processes (default 5, from 2 to 20)
  --rounds N        critical sections per worker (default 2)
  --ttl DURATION    lease ttl (default 3s; from 1s to 1m)
  -h, --help

Example:
  npx gcs-lock demo`;
