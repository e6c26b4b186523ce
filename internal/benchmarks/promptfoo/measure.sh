#!/usr/bin/env bash
# The promptfoo baseline of README "Benchmarks": promptfoo 0.121.20, its echo provider, three
# deterministic assertions per test (regex, contains, a length check), N = 10,000 and 100,000,
# three runs of each by turns; prints each run and the medians.
#
#   bash internal/benchmarks/promptfoo/measure.sh [WORKDIR]   (default /tmp/heval-promptfoo)
#
# Needs node 20+, npm (the package is installed from the npm registry into WORKDIR),
# /usr/bin/time, and root for unshare -n: promptfoo itself runs with no network at all.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
D=${1:-/tmp/heval-promptfoo}; mkdir -p "$D"; cd "$D"; cp "$HERE/gen.js" .
[ "$(node -p 'require("./node_modules/promptfoo/package.json").version' 2>/dev/null)" = 0.121.20 ] ||
  { [ -f package.json ] || npm init -y >/dev/null; npm install --no-audit --no-fund promptfoo@0.121.20; }
command -v /usr/bin/time >/dev/null || apt-get install -y time

# No call-outs, no cache, everything under WORKDIR. DISABLE_DEBUG_LOG is needed: with the default
# per-run debug log file, a 10k run prints "closeLogger() timed out during shutdown" and loses
# its "Results:" summary, so the run cannot be counted.
export PROMPTFOO_DISABLE_TELEMETRY=1 PROMPTFOO_DISABLE_UPDATE=1 PROMPTFOO_DISABLE_SHARING=1 \
  PROMPTFOO_DISABLE_REMOTE_GENERATION=1 PROMPTFOO_DISABLE_RUNTIME_WARNINGS=1 PROMPTFOO_DISABLE_DEBUG_LOG=1 \
  PROMPTFOO_CACHE_ENABLED=false PROMPTFOO_CONFIG_DIR=$D/.promptfoo
# Even with telemetry disabled, promptfoo POSTs a one-off "telemetry disabled" event; an empty
# network namespace makes that (and anything else) fail instantly instead of leaving the machine.
NONET="unshare -n"

mkdir -p runs
for n in 20 10000 100000; do
  [ -f tests-$n.csv ] || node gen.js $n > tests-$n.csv
  cat > cfg-$n.yaml <<EOF
description: echo baseline N=$n
prompts:
  - '{{question}}'
providers:
  - echo
defaultTest:
  assert:
    - type: regex
      value: '\w+'
    - type: contains
      value: help
    - type: javascript
      value: output.length <= 2000
tests: file://tests-$n.csv
EOF
done

run() { # $1 = N, $2 = label
  local n=$1 log=runs/$2
  local rc=0
  /usr/bin/time -v -o $log.time timeout 1200 $NONET node_modules/.bin/promptfoo eval -c cfg-$n.yaml \
    --no-write --no-cache --no-table --no-progress-bar </dev/null >$log.out 2>$log.err || rc=$?
  local wall rss p f e
  wall=$(awk -F': ' '/Elapsed/{n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' $log.time)
  rss=$(awk -F': ' '/Maximum resident/{printf "%.0f", $2/1024}' $log.time)
  p=$(grep -oE '[0-9,]+ passed' $log.out | tr -dc 0-9); f=$(grep -oE '[0-9,]+ failed' $log.out | tr -dc 0-9)
  e=$(grep -oE '[0-9,]+ errors' $log.out | tr -dc 0-9)
  local ok=NO; [ "$rc" = 0 ] && [ "$((${p:-0}+${f:-0}+${e:-0}))" = "$n" ] && ok=yes
  printf '%-10s N=%-6s wall=%.2fs samples/s=%.1f peakRSS=%s MiB  pass=%s fail=%s err=%s rc=%s counted=%s\n' \
    $2 $n $wall $(awk "BEGIN{print $n/$wall}") $rss "${p:-?}" "${f:-?}" "${e:-?}" $rc $ok | tee -a runs/summary.txt
}

run 20 warmup   # creates/migrates the sqlite db in $PROMPTFOO_CONFIG_DIR so measured runs don't pay that
: > runs/summary.txt
for i in 1 2 3; do run 10000 10k-$i; run 100000 100k-$i; done

echo "--- medians (counted runs only)"
med() { sort -n | awk '{v[NR]=$1} END{print NR ? v[int((NR+1)/2)] : "n/a"}'; }   # NR is 3 here
for n in 10000 100000; do
  rows=$(grep "N=$n " runs/summary.txt | grep 'counted=yes' || true)
  echo "N=$n counted_runs=$(grep -c . <<<"$rows")" \
    "median_samples/s=$(grep -oE 'samples/s=[0-9.]+' <<<"$rows" | cut -d= -f2 | med)" \
    "median_peakRSS_MiB=$(grep -oE 'peakRSS=[0-9]+' <<<"$rows" | cut -d= -f2 | med)"
done
