#!/usr/bin/env bash
# The relay (driver: relay) beside the real upsd it relays, at 1,000 clients by default:
# rates, p50, p99, and upsd's connections from the relay. Each process needs 1,000+ descriptors.
# Usage: bash bench/relay-load.sh [--seconds 5] [--clients 100,1000] [--bin]
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
exec node --import tsx bench/relay-load.ts "$@"
