#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs the real NUT 2.8 peers the
# interoperability tests run against and socat for serial ptys (Debian packages), the npm dependencies,
# builds dist/upsagent (the end-to-end test starts it), then runs type-check,
# lint and every test. `npm test` and CI (.ci/run) both run exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for f in /lib/nut/upsd /lib/nut/dummy-ups /lib/nut/upsmon /lib/nut/nutdrv_qx /lib/nut/apcsmart /usr/bin/upsc /usr/bin/upsrw /usr/bin/upscmd /usr/bin/socat /usr/bin/gcc /usr/include/stdio.h /usr/bin/systemd-analyze /usr/sbin/useradd /usr/sbin/mosquitto /usr/bin/mosquitto_passwd /usr/bin/openssl; do
  [ -e "$f" ] || missing+=("$f")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing NUT 2.8 peers, socat (serial ptys) and gcc (a line-ioctl stand-in for the real genericups), systemd-analyze and useradd (install tests), mosquitto (MQTT tests) and openssl (the SMTP test certificate) (missing: ${missing[*]})"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nut-server nut-client socat gcc libc6-dev systemd passwd mosquitto openssl >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== npm ci"
  npm ci --no-audit --no-fund
fi

echo "== build (type-check + bundle + single executable)"
npm run -s build

echo "== lint"
npx eslint src test build bench

echo "== tests"
shopt -s globstar nullglob
files=(test/unit/**/*.test.ts test/interop/**/*.test.ts test/e2e/**/*.test.ts)
exec npx tsx --test --test-timeout=180000 "${files[@]}"
