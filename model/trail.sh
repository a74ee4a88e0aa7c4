#!/usr/bin/env bash
# Renders a SPIN counterexample of model/lock.pml (or model/queue.pml) as a message-sequence listing:
# one line per protocol step, with the server time (in ticks) it happened at and who did it.
#
#   usage: model/trail.sh DIR MODEL.pml [spin -D flags the verifier was built with]
#
# DIR holds MODEL.pml and MODEL.pml.trail (as model/run.sh leaves them for a caught mutant). The
# listing comes from the model's own `printf("MSC: who|what")` lines, replayed by `spin -t`; ticks are
# counted, not printed. The last line names the property that failed, from the tag on the source
# line of the assertion (P1, P2, ...).
set -euo pipefail
dir=$1
model=$2
shift 2
cd "$dir"
spin "$@" -t "$model" | awk -v model="$model" '
  BEGIN {
    n = 0
    while ((getline line < model) > 0) src[++n] = line
    who["S"] = "GCS"; who["T"] = "clock"; who["F"] = "foreign"; who["O"] = "operator"
    t = 0
    printf "%4s  %-8s  %s\n", "t", "who", "step"
  }
  /MSC: / {
    sub(/^.*MSC: /, "")
    actor = substr($0, 1, index($0, "|") - 1)
    text = substr($0, index($0, "|") + 1)
    if (actor == "T" && text == "tick") { t++; next }
    name = (actor in who) ? who[actor] : actor
    printf "%4d  %-8s  %s\n", t, name, text
    next
  }
  /Error: assertion violated/ {
    match($0, /:[0-9]+,/)
    lineno = substr($0, RSTART + 1, RLENGTH - 2) + 0
    tag = src[lineno]
    if (match(tag, /\/\* P[0-9a-z]+[^*]*\*\//)) tag = substr(tag, RSTART + 3, RLENGTH - 6)
    else tag = "assertion at line " lineno
    printf "%4d  %-8s  VIOLATED %s\n", t, "", tag
  }
  /<<<<<START OF CYCLE>>>>>/ {
    printf "%4d  %-8s  VIOLATED P4 replaced: from here on the run repeats for ever, the waiter never granted\n", t, ""
  }
'
