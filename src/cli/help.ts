import { EXIT_CODES_HELP } from './exit-codes.js';

const ENDPOINT_HELP = `Where GCS is:
  --endpoint URL   the GCS JSON API's base URL, e.g. http://127.0.0.1:4443 (a local server)
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
  gcs-lock doctor gs://BUCKET[/PREFIX] [--read-only] [--json]       will locks work there, at what cost
  gcs-lock emulator [--port 4443] [--bucket NAME]...                a local GCS server
  gcs-lock demo                                                     watch workers contend, no cloud needed

  gcs-lock COMMAND --help    details and examples for one command
  gcs-lock --version

Examples:
  gcs-lock run gs://my-locks/nightly -- ./nightly-report.sh --full
  gcs-lock run -n gs://my-locks/deploy -- make deploy || echo "another deploy is running"
  gcs-lock status gs://my-locks/nightly

${ENDPOINT_HELP}

${EXIT_CODES_HELP}`;

/** `gcs-lock run --help`. */
export const RUN_HELP = `Usage: gcs-lock run gs://BUCKET/OBJECT [options] -- COMMAND [ARGS...]

Acquires the lock (waiting for it by default), runs COMMAND with ARGS exactly as given (no shell),
keeps the lease refreshed while it runs, releases it when the command exits, and exits with the
command's exit status (128+N when the command was killed by signal N).

The command sees GCS_LOCK_URL (the lock) and GCS_LOCK_TOKEN (the fencing token: the lock object's
generation, unique per lease) in its environment. Pass the token to whatever you protect, so that it
can reject writes from an older lease. (GCS generations are microsecond timestamps and grow in
practice, but GCS documents only that they are unique; the local server makes them strictly grow.)

If the lease is LOST while the command runs (its refresh failed for too long, or someone broke the
lock), the command gets SIGTERM, then SIGKILL after --kill-grace, and gcs-lock exits 75.
SIGINT, SIGTERM and SIGHUP sent to gcs-lock are passed on to the command. While still waiting for the
lock, SIGINT/SIGTERM stop the wait, leave no lock object behind and exit 130/143.

Options:
  -n, --nonblock               fail at once (exit 1, or -E) when the lock is held
  -w, --wait SECONDS           give up (exit 1, or -E) after waiting this long; also 30s, 2m, 1h
  -E, --conflict-exit-code N   exit status for -n/-w when the lock stays held (default 1)
      --ttl DURATION           lease time to live: a crashed holder blocks others this long
                               (default 60s; at least 1s; seconds, or 500ms, 30s, 2m)
      --description TEXT       shown to anyone who runs \`gcs-lock status\`
      --kill-grace DURATION    after a lost lease, wait this long between SIGTERM and SIGKILL (default 10s)
      --endpoint URL           GCS JSON API base URL (see below)
      --json                   JSON-lines events on stderr (acquired, contended, refreshed, lost...)
  -q, --quiet                  no messages, no status line; errors only
  -h, --help

Examples:
  gcs-lock run gs://my-locks/nightly --ttl 2m -- ./report.sh --date today
  gcs-lock run -w 300 -E 3 gs://my-locks/deploy --description "deploy $CI_JOB_ID" -- make deploy
  gcs-lock run -n gs://my-locks/cron-job -- python job.py || exit 0   # skip if a run is in progress
  gcs-lock run gs://my-locks/migrate -- sh -c 'migrate --fencing-token "$GCS_LOCK_TOKEN"'

${ENDPOINT_HELP}

${EXIT_CODES_HELP}`;

/** `gcs-lock status --help`. */
export const STATUS_HELP = `Usage: gcs-lock status gs://BUCKET/OBJECT [--json] [--endpoint URL]

Shows whether the lock is held: holder host, pid and description, since when, when the lease expires
(judged on the server's clock) and the fencing token. Reads one object; changes nothing.

Exit status: 0 held, 1 free, 2 stale (its lease expired: the next acquirer takes it over),
65 the object is not a gcs-lock lock; see \`gcs-lock --help\` for the rest.

Options:
  --json            one JSON object on stdout: {"url","state":"held"|"free"|"stale","lock":{...}}
  --endpoint URL    GCS JSON API base URL
  -h, --help

Examples:
  gcs-lock status gs://my-locks/nightly
  if gcs-lock status gs://my-locks/deploy > /dev/null; then echo "a deploy is running"; fi
  gcs-lock status gs://my-locks/nightly --json | jq -r .lock.token

${ENDPOINT_HELP}`;

/** `gcs-lock list --help`. */
export const LIST_HELP = `Usage: gcs-lock list gs://BUCKET[/PREFIX] [--json] [--endpoint URL]

Lists the objects under a prefix, one line each: the lock's state (held, STALE for an expired
lease, NOT-A-LOCK for an object that gcs-lock did not write), its token, holder and expiry.
Needs storage.objects.list on the bucket. Changes nothing.

Options:
  --json            JSON lines on stdout, one per object
  --endpoint URL    GCS JSON API base URL
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

/** `gcs-lock emulator --help`. */
export const EMULATOR_HELP = `Usage: gcs-lock emulator [--port 4443] [--host 127.0.0.1] [--bucket NAME]... [options]

Starts gcs-lock's local GCS server: the GCS JSON API with exact preconditions, generations and
metagenerations, in memory. Point gcs-lock, @google-cloud/storage or other tools at it with
STORAGE_EMULATOR_HOST. Stops on Ctrl-C (SIGINT) or SIGTERM.

Options:
  --port N          port to listen on (default 4443; 0 for any free port)
  --host ADDRESS    address to listen on (default 127.0.0.1)
  --bucket NAME     create this bucket at start-up (repeatable)
  --rate-limit      enforce GCS's one write per second per object (429 rateLimitExceeded)
  --data-dir DIR    keep the state in DIR, so it survives a restart
  -h, --help

Example:
  gcs-lock emulator --port 4443 --bucket demo &
  export STORAGE_EMULATOR_HOST=http://127.0.0.1:4443
  gcs-lock run gs://demo/my-lock -- echo hello`;

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
  --ttl DURATION    lease ttl (default 3s)
  -h, --help

Example:
  npx gcs-lock demo`;
