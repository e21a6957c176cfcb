#!/usr/bin/env bash
# How long the built agent takes to answer clients, and to stop, when one UPS's device never
# answers: a dummy-ups file that is a FIFO nobody writes (a read that blocks for ever), next to a
# good one, with a 60 s device deadline. Prints milliseconds from start to the first answer for the
# good UPS, the answer for the hung one, and the time SIGTERM takes. Needs dist/upsagent and upsc.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=./dist/upsagent
[ -x "$bin" ] || { echo "build first: npm run build" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkfifo "$dir/silent.dev"
printf 'ups.status: OL\nbattery.charge: 100\n' > "$dir/good.dev"
port=$(( 20000 + RANDOM % 20000 ))
cat > "$dir/agent.yaml" <<YAML
ups:
  good: { driver: dummy, port: good.dev }
  silent: { driver: dummy, port: silent.dev, timeout: 60 }
server:
  listen: ["127.0.0.1:$port"]
YAML
now() { date +%s%3N; }
for run in 1 2 3 4 5; do
  t0=$(now)
  "$bin" run --config "$dir/agent.yaml" >"$dir/log" 2>&1 &
  pid=$!
  until upsc "good@127.0.0.1:$port" ups.status >/dev/null 2>&1; do sleep 0.01; done
  t1=$(now)
  hung=$(upsc "silent@127.0.0.1:$port" 2>&1 | tail -1 || true)
  t2=$(now)
  kill -TERM "$pid"
  wait "$pid" || true
  t3=$(now)
  echo "run $run: good UPS answered after $((t1 - t0)) ms; hung UPS: \"$hung\"; stop took $((t3 - t2)) ms"
done
