#!/usr/bin/env bash
# Startup cost of the packaged agent: executable size, `upsagent --help` time
# (hyperfine) and idle memory of `upsagent run --demo`, for the single
# executable and for the same bundle run by plain node.
#
# Usage: bench/startup.sh [runs]     (builds dist/upsagent first if missing)
#
# Memory: VmRSS from /proc/<pid>/status after SETTLE seconds, split into
# anonymous (heap, stacks: what the process really costs) and file-backed
# (pages of the executable it touched: clean, shared, reclaimable). Before each
# RSS measurement the executable's page cache is dropped (dd iflag=nocache):
# how a file was last written decides how the kernel maps it (one 120 MB
# write() leaves large folios that add ~20 MB of file-backed RSS), and we want
# the figure a freshly booted machine would show, not the build's leftovers.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${1:-20}
SETTLE=${SETTLE:-4}
SEA=dist/upsagent
BUNDLE=dist/upsagent.cjs
BASE_NODE=$(ls -d .cache/node/*-"$(node -p 'process.platform + "-" + process.arch')"/node 2>/dev/null | sort -V | tail -1 || true)

[[ -x $SEA && -f $BUNDLE ]] || npm run --silent build
command -v hyperfine >/dev/null || { echo "hyperfine is not installed (apt-get install hyperfine)" >&2; exit 1; }

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# mean ± sd of `<cmd> --help` in ms, from hyperfine's JSON export.
help_time() {
  local json
  json=$(mktemp)
  hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$json" "$* --help" >/dev/null 2>&1
  node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).results[0];console.log(`${(r.mean*1e3).toFixed(1)} ± ${(r.stddev*1e3).toFixed(1)} ms`)' "$json"
  rm -f "$json"
}

# Idle memory of `<cmd> run --demo --listen 127.0.0.1:<port>`.
idle_rss() {
  local exe=$1 port pid out status
  dd if="$(command -v "$exe")" iflag=nocache count=0 status=none 2>/dev/null || true
  port=$(free_port)
  out=$(mktemp)
  "$@" run --demo --listen "127.0.0.1:$port" >"$out" 2>&1 &
  pid=$!
  sleep "$SETTLE"
  if ! status=$(cat "/proc/$pid/status" 2>/dev/null); then
    echo "exited early: $(tail -3 "$out")"
    rm -f "$out"
    return
  fi
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -f "$out"
  awk '/^VmRSS/{r=$2} /^RssAnon/{a=$2} /^RssFile/{f=$2} END{printf "%.1f MB (anon %.1f, file %.1f)\n", r/1024, a/1024, f/1024}' <<<"$status"
}

size=$(stat -c %s "$SEA")
printf 'dist/upsagent: %.1f MiB (%s)\n' "$(echo "$size / 1048576" | bc -l)" "$(file -b "$SEA" | cut -d, -f1-2)"
printf 'machine: %s cores, %s\n\n' "$(nproc)" "$(uname -r)"

printf '%-42s %-18s %s\n' 'program' '--help' 'idle RSS (run --demo)'
row() {
  local label=$1
  shift
  printf '%-42s %-18s %s\n' "$label" "$(help_time "$@")" "$(idle_rss "$@")"
}
row "dist/upsagent (SEA${BASE_NODE:+, $($BASE_NODE --version)})" "$SEA"
if [[ -n $BASE_NODE ]]; then
  row "$($BASE_NODE --version) $BUNDLE" "$BASE_NODE" "$BUNDLE"
fi
row "$(node --version) $BUNDLE (system node)" node "$BUNDLE"
