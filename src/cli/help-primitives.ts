import { EXIT_CODES_HELP } from './exit-codes.js';
import { ENDPOINT_HELP, STORE_OPTIONS_HELP } from './help.js';

/** `gcs-lock elect --help`. */
export const ELECT_HELP = `Usage: gcs-lock elect gs://BUCKET/OBJECT [options] -- COMMAND [ARGS...]

Leader election for a command: campaigns for the election at gs://BUCKET/OBJECT (reading, never
writing, while another candidate leads), runs COMMAND while this process leads, exactly as \`run\`
runs a command under a lock (its own process group; ended with SIGTERM, then SIGKILL after
--kill-grace, if the term is lost), and when the term ends (lost, or COMMAND exited) campaigns
again after --backoff. With --once it runs COMMAND in one term only and exits with its status
(75 when the term was lost).

The command sees GCS_LOCK_URL, GCS_LOCK_TOKEN (the term's fencing token: every later term's is
higher) and GCS_LOCK_CANDIDATE in its environment. \`gcs-lock leader\` shows who leads.

SIGINT, SIGTERM and SIGHUP stop it: while campaigning at once (exit 130/143/129); while the command
runs, they are passed on to it, and gcs-lock resigns and exits with its status.

Options:
      --candidate NAME         who this process is, as others see it (default HOST:PID)
      --once                   run the command in one term only, then exit with its status
  -w, --wait DURATION          with --once: give up campaigning after this long (exit 1)
      --backoff DURATION       wait this long after a term ends before campaigning again (default 2s)
      --ttl DURATION           term time to live: a crashed leader is replaced about this long after
                               its last refresh (default 60s; from 1s to 168h)
      --description TEXT       shown to anyone who runs \`gcs-lock leader\` or \`status\`
      --kill-grace DURATION    between SIGTERM and SIGKILL to the command's group on a lost term
                               (default 10s, at most ttl/5 less a quarter of that)
${STORE_OPTIONS_HELP}
      --json                   JSON-lines events on stderr (leading, lost, term-ended...)
  -q, --quiet                  no progress messages; trouble and errors only
  -h, --help

Examples:
  gcs-lock elect gs://my-locks/leaders/indexer --ttl 30s --candidate "$HOSTNAME" -- ./indexer
  gcs-lock elect --once gs://my-locks/leaders/cron -- ./nightly.sh

${ENDPOINT_HELP}

${EXIT_CODES_HELP}`;

/** `gcs-lock leader --help`. */
export const LEADER_HELP = `Usage: gcs-lock leader gs://BUCKET/OBJECT [--watch] [--json] [--interval DURATION]

Shows who leads the election at gs://BUCKET/OBJECT: the candidate, since when, the term's fencing
token and when it expires unless refreshed (judged on the server's clock). Reads; changes nothing.
A term that has expired is no leader.

With --watch, one line for the leader now, then one per change (a new term, a resignation, an
expiry), each seen within --interval; until interrupted (then exit 0).

Exit status: 0 someone leads, 1 no one does (without --watch); 65 the object is not an election.

Options:
      --watch                  follow the election: one line per change of leader
      --interval DURATION      how often --watch reads (default 2s; at least 100ms)
      --json                   one JSON object per line on stdout: {"url","leader":{...}|null},
                               with "time" when watching
${STORE_OPTIONS_HELP}
  -h, --help

Examples:
  gcs-lock leader gs://my-locks/leaders/indexer
  gcs-lock leader gs://my-locks/leaders/indexer --watch --json | jq -r '.leader.candidate // "none"'

${ENDPOINT_HELP}`;
