#!/usr/bin/env bash
# npm run model: model-checks the gcs-lock protocol (model/lock.pml) with SPIN, and checks that every
# mutant (a -D switch that re-introduces a bug) is caught. Prints one line per run, per property and
# per mutant; exits non-zero if a property fails, an exhaustive run does not complete, or a mutant is
# not caught. Needs spin (Debian: apt-get install spin) and a C compiler.
#
#   MODEL_JOBS=1   run the verifiers one at a time (default: two at once)
#   MODEL_KEEP=dir keep every run's directory (model, pan, output, trail) under dir
#   MODEL_ONLY=re  run only the checks whose name matches the regular expression re
#   MODEL_BITSTATE_SECONDS=n  how long the bitstate search of 3 contenders runs (default 60; 0: to its end)
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
jobs=${MODEL_JOBS:-2}
only=${MODEL_ONLY:-.}
if [[ -n ${MODEL_KEEP:-} ]]; then
  work=$MODEL_KEEP
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
command -v spin >/dev/null || { echo "model: spin not found (apt-get install spin)" >&2; exit 2; }
cc=${CC:-gcc}
command -v "$cc" >/dev/null || { echo "model: no C compiler ($cc) found" >&2; exit 2; }

# The time constants, in ticks (see model/README.md, "Abstractions"). Every check uses them unless
# its own flags say otherwise.
base="-DTTL=3 -DMARGIN=1 -DDRIFT=1 -DRI=1"

# name | kind | model | spin -D flags | what it shows
#   kind: safety (exhaustive, must pass), bitstate (must pass), live (acceptance cycles under weak
#   fairness, must pass), mutant (assertion must fail), mutant-live (acceptance cycle must be found)
checks=$(
  cat <<'EOF'
safety-2|safety|lock|-DNC=2 -DNREF=1 -DFAULTS=1 -DFOREIGN=1 -DBREAKS=1|2 contenders (each acquires, refreshes, releases or abandons), foreign writer, operator break, 1 fault
safety-3|bitstate|lock|-DNC=3 -DHOLDERS=2 -DNREF=1 -DFAULTS=0 -DFOREIGN=1 -DBREAKS=0|2 holders (tryAcquire) + 1 waiter, foreign writer, no faults
live-2|live|lock|-DNC=2 -DLIVE -DNREF=0 -DFAULTS=0 -DFOREIGN=255 -DBREAKS=0|holder crashes, waiter keeps polling, unbounded foreign writer
MUT_TAKEOVER_UNPINNED|mutant|lock|-DNC=3 -DNREF=0 -DFAULTS=0 -DFOREIGN=0 -DBREAKS=0 -DMUT_TAKEOVER_UNPINNED|takeover not pinned to the stale generation
MUT_REFRESH_METAGEN_ONLY|mutant|lock|-DNC=2 -DNREF=1 -DFAULTS=0 -DFOREIGN=1 -DBREAKS=0 -DMUT_REFRESH_METAGEN_ONLY|refresh pinned to the metageneration only
MUT_NO_REFRESH_COUNT|mutant|lock|-DNC=2 -DNREF=1 -DFAULTS=0 -DFOREIGN=1 -DBREAKS=0 -DMUT_NO_REFRESH_COUNT|412 on refresh taken as ours without comparing the refresh counter (foreign patch)
MUT_RELEASE_NO_WAIT|mutant|lock|-DNC=2 -DNREF=1 -DFAULTS=0 -DFOREIGN=0 -DBREAKS=0 -DMUT_RELEASE_NO_WAIT|release does not wait for the refresh in flight
MUT_WALL_CLOCK|mutant|lock|-DNC=2 -DNREF=1 -DFAULTS=0 -DFOREIGN=0 -DBREAKS=0 -DMUT_WALL_CLOCK -DSKEW=3|expiry judged on the waiter's wall clock (3 ticks of skew)
MUT_FENCE_UNPINNED|mutant|lock|-DNC=3 -DNREF=0 -DFAULTS=0 -DFOREIGN=0 -DBREAKS=0 -DMUT_FENCE_UNPINNED|a grant's fence read from an earlier record than the generation it is pinned to
MUT_RELEASE_NO_OWNER|mutant|lock|-DNC=2 -DNREF=1 -DFAULTS=0 -DFOREIGN=0 -DBREAKS=1 -DMUT_RELEASE_NO_OWNER|release resolved as ours without checking the owner (after a break)
MUT_REREAD_NO_OWNER|mutant|lock|-DNC=2 -DNREF=1 -DFAULTS=0 -DFOREIGN=0 -DBREAKS=1 -DMUT_REREAD_NO_OWNER|refresh re-read ignores owner and state (a break goes unnoticed)
MUT_LATE_SUCCESS|mutant|lock|-DNC=2 -DNREF=1 -DFAULTS=0 -DFOREIGN=0 -DBREAKS=0 -DMUT_LATE_SUCCESS|a refresh answered after the deadline extends the lease
MUT_STALE_AT_ARRIVAL|mutant|lock|-DNC=2 -DNREF=1 -DFAULTS=0 -DFOREIGN=0 -DBREAKS=0 -DMUT_STALE_AT_ARRIVAL|own-clock expiry judged when the waiter acts, not at its read
MUT_FIRST_SEEN_AT_SEND|mutant|lock|-DNC=2 -DNREF=1 -DFAULTS=0 -DFOREIGN=0 -DBREAKS=0 -DMUT_FIRST_SEEN_AT_SEND|own-clock staleness counted from the send of the first read that showed the key, not its answer
MUT_SUSPEND|mutant|lock|-DNC=2 -DNREF=1 -DFAULTS=0 -DFOREIGN=0 -DBREAKS=0 -DMUT_SUSPEND|the holder's clock stops while its machine is suspended
MUT_FENCE_IS_GEN|mutant|lock|-DNC=2 -DNREF=1 -DFAULTS=0 -DFOREIGN=0 -DBREAKS=0 -DUNORDERED -DMUT_FENCE_IS_GEN|fencing token = generation (0.1), generations unordered
MUT_DRIFT|mutant|lock|-DNC=2 -DNREF=1 -DFAULTS=0 -DFOREIGN=0 -DBREAKS=0 -DDRIFT=2|clock drift (2 ticks per ttl) beyond what lossMargin (1) covers
MUT_KEY_METAGENERATION|mutant-live|lock|-DNC=2 -DLIVE -DNREF=0 -DFAULTS=0 -DFOREIGN=255 -DBREAKS=0 -DMUT_KEY_METAGENERATION|own-clock staleness keyed on the metageneration (0.1): a foreign writer keeps a dead lease alive
EOF
)
if [[ -f $here/queue.pml ]]; then
  checks+=$'\n'$(
    cat <<'EOF'
queue-safety|safety|queue|-DNW=3|fair queue: 3 waiters, one crashes; grants follow ticket order
queue-live|live|queue|-DNW=3 -DLIVE|fair queue: a crashed queued waiter delays the queue by at most its ttl
Q_ANY_TICKET|mutant|queue|-DNW=3 -DQ_ANY_TICKET|any live ticket may take the lock, not only the head
Q_NO_EXPIRY|mutant-live|queue|-DNW=3 -DLIVE -DQ_NO_EXPIRY|a crashed waiter's ticket never expires
EOF
  )
fi

# run NAME KIND MODEL FLAGS: build and run one verifier in $work/NAME; writes $work/NAME/result
run() {
  local name=$1 kind=$2 model=$3 flags="" f
  # a constant the check sets itself (MUT_DRIFT: -DDRIFT=2) replaces the base's
  for f in $base; do [[ " $4" == *" ${f%%=*}="* ]] || flags+="$f "; done
  flags+=$4
  local dir=$work/$name
  mkdir -p "$dir"
  cp "$here/$model.pml" "$dir/"
  cd "$dir" || return
  # pan.c is large: -O2 takes several times longer to compile than -O0 but runs 3-4 times faster,
  # which pays off only for the big runs.
  local ccflags="-w" panflags="-m100000"
  case $kind in
    safety) ccflags+=" -O2 -DSAFETY -DHC4 -DMEMLIM=2000" panflags+=" -w25" ;;
    bitstate)
      ccflags+=" -O2 -DSAFETY -DBITSTATE -DMEMLIM=1000"
      # 2^30 bits (128 MB) for the time-boxed search; 2^32 (512 MB) for a search to the end
      if [[ ${MODEL_BITSTATE_SECONDS:-60} == 0 ]]; then panflags+=" -w32 -k3"; else panflags+=" -w30 -k3"; fi
      ;;
    live) ccflags+=" -O2 -DNFAIR=3 -DMEMLIM=1500" panflags+=" -a -f -A -w24" ;;
    mutant) ccflags+=" -O0 -DSAFETY -DMEMLIM=1500" panflags+=" -w24" ;;
    mutant-live) ccflags+=" -O0 -DNFAIR=3 -DMEMLIM=1500" panflags+=" -a -f -A -w24" ;;
  esac
  # shellcheck disable=SC2086
  if ! spin $flags -a "$model.pml" >spin.out 2>&1 || ! $cc $ccflags -o pan pan.c >cc.out 2>&1; then
    echo "ERROR|build failed: $(head -c 300 spin.out cc.out | tr '\n' ' ')" >result
    return
  fi
  local start end
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  if [[ $kind == bitstate ]]; then
    # A search of a budget of time: pan prints its figures when interrupted.
    # MODEL_BITSTATE_SECONDS=0: run to the end (216 million states, about 14 minutes on one core).
    if [[ ${MODEL_BITSTATE_SECONDS:-60} == 0 ]]; then
      ./pan $panflags >pan.out 2>&1
    else
      timeout -s INT "${MODEL_BITSTATE_SECONDS:-60}" ./pan $panflags >pan.out 2>&1
    fi
  else
    ./pan $panflags >pan.out 2>&1
  fi
  end=$(date +%s.%N)
  local secs states mem errors depth complete
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
  states=$(awk '/states, stored/ { print $1; exit }' pan.out)
  mem=$(awk '/total actual memory usage/ { printf "%.0f", $1; exit }' pan.out)
  errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' pan.out | head -1)
  depth=$(sed -n 's/.*(at depth \([0-9]*\)).*/\1/p' pan.out | head -1)
  complete=yes
  grep -q "Search not completed" pan.out && complete=no
  grep -q "out of memory\|memory limit" pan.out && complete=no
  local found=""
  if [[ -f $model.pml.trail ]]; then
    # shellcheck disable=SC2086
    found=$("$here/trail.sh" "$dir" "$model.pml" $flags 2>/dev/null | awk '/VIOLATED|repeats for ever/ { sub(/^ *[0-9]+ +/, ""); print; exit }')
    # shellcheck disable=SC2086
    "$here/trail.sh" "$dir" "$model.pml" $flags >listing.txt 2>&1
  fi
  echo "OK|${states:-?} states, ${mem:-?} MB|${secs}|${errors:-?}|${depth:-}|${complete}|${found}" >result
}

names=()
while IFS='|' read -r name kind model flags what; do
  [[ -z $name || ! $name =~ $only ]] && continue
  names+=("$name")
done <<<"$checks"

began=$(date +%s.%N)
spin_version=$(spin -V 2>&1 | head -1)
echo "gcs-lock protocol model, $spin_version"
echo "time in ticks: ttl 3, lossMargin 1, drift 1 per ttl, refreshInterval 1; waiter's own clock: > ttl"
echo "bounds: 1 refresh per lease (0 in liveness runs), each contender acquires once; faults, foreign"
echo "        patches and breaks per run as listed (255 = unbounded); safety-2 is exhaustive (hash-compact),"
echo "        safety-3 a bitstate search of ${MODEL_BITSTATE_SECONDS:-60} s (partial: it does not fit exhaustively)"

# Two lanes run at once: the exhaustive safety runs one after the other in the first (the largest
# memory), everything else in the second; each lane stays under about 2 GB.
lane() {
  local name line kind model flags
  for name in "$@"; do
    line=$(grep "^$name|" <<<"$checks")
    IFS='|' read -r _ kind model flags _ <<<"$line"
    run "$name" "$kind" "$model" "$flags"
  done
}
big=() small=()
for name in "${names[@]}"; do
  if [[ $(grep "^$name|" <<<"$checks" | cut -d'|' -f2) =~ ^(safety|bitstate)$ ]]; then big+=("$name"); else small+=("$name"); fi
done
if ((jobs > 1)); then
  lane "${big[@]}" &
  lane "${small[@]}"
  wait
else
  lane "${big[@]}" "${small[@]}"
fi

status=0
checked=0
declare -A seen_prop=()
echo
echo "runs:"
for name in "${names[@]}"; do
  line=$(grep "^$name|" <<<"$checks")
  IFS='|' read -r _ kind model flags what <<<"$line"
  IFS='|' read -r ok states secs errors depth complete found <"$work/$name/result"
  if [[ $ok != OK ]]; then
    printf 'ERROR   %-22s %s\n' "$name" "$states"
    status=1
    continue
  fi
  case $kind in
    safety | bitstate | live)
      checked=$((checked + 1))
      label=exhaustive
      [[ $kind == bitstate ]] && label="bitstate (not exhaustive)"
      [[ $kind == live ]] && label="weak fairness"
      if [[ $errors == 0 && ($complete == yes || $kind == bitstate) ]]; then
        printf 'PASS    %-22s %s; %s, %s s, %s: %s\n' "$name" "$model.pml" "$states" "$secs" "$label" "$what"
      elif [[ $errors == 0 ]]; then
        printf 'FAIL    %-22s search did not complete (memory): %s, %s s\n' "$name" "$states" "$secs"
        status=1
      else
        printf 'FAIL    %-22s %s after %s steps (%s, %s s); the counterexample:\n' "$name" "$found" "$depth" "$states" "$secs"
        sed 's/^/        /' "$work/$name/listing.txt" 2>/dev/null
        seen_prop[${found#VIOLATED }]=1
        status=1
      fi
      ;;
  esac
done

echo
echo "properties:"
props=(
  "P1 exclusion: never two contenders that each believe they hold a valid lease"
  "P2 loss first: at every grant, each earlier holder is past its deadline (says so when it runs)"
  "P3 fences: the fences of one lock name strictly increase along grants"
  "P4 replaced: a crashed holder is replaced while a waiter keeps polling (weak fairness)"
  "P1b dead stays dead: no refresh lands on a released or broken lease"
  "P5 release truthful: release() is true only if its own release patch committed"
  "P6 no false loss: a holder never declares a loss caused by its own release"
)
for prop in "${props[@]}"; do
  id=${prop%% *}
  bad=""
  for found in "${!seen_prop[@]}"; do [[ $found == "$id "* ]] && bad=$found; done
  if ((checked == 0)); then
    printf 'NOT RUN %s\n' "$prop"
  elif [[ -n $bad ]]; then
    printf 'FAIL    %s\n' "$prop"
  else
    printf 'PASS    %s\n' "$prop"
  fi
done

echo
echo "mutants (each must be caught):"
for name in "${names[@]}"; do
  line=$(grep "^$name|" <<<"$checks")
  IFS='|' read -r _ kind model flags what <<<"$line"
  [[ $kind == mutant || $kind == mutant-live ]] || continue
  IFS='|' read -r ok states secs errors depth complete found <"$work/$name/result"
  if [[ $ok == OK && $errors != 0 && $errors != "?" ]]; then
    printf 'CAUGHT  %-22s %s\n        %-22s -> %s, trail %s steps (%s, %s s)\n' \
      "$name" "$what" "" "${found:-counterexample}" "${depth:-?}" "$states" "$secs"
  else
    printf 'MISSED  %-22s %s (%s, %s s, complete: %s)\n' "$name" "$what" "${states:-?}" "${secs:-?}" "${complete:-?}"
    status=1
  fi
done

echo
total=$(awk -v a="$began" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
if ((status == 0)); then
  echo "model: all properties hold, every mutant caught ($total s in all, builds included)"
else
  echo "model: FAILED ($total s)"
fi
exit $status
