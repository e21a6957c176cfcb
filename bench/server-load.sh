#!/usr/bin/env bash
# The NUT server side by side with real upsd: rates, p99, RSS at 10..10,000 clients, a flood of
# clients that never read, idle RSS. 10,000 clients need 10,000+ descriptors in each process.
# Usage: bash bench/server-load.sh [--seconds 5] [--clients 10,100,1000,10000] [--no-flood] [--no-idle]
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
exec node --import tsx bench/server-load.ts "$@"
