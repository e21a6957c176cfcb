#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs the real NUT 2.8 peers the
# interoperability tests run against and socat for serial ptys (Debian packages), the npm dependencies,
# builds dist/upsagent (the end-to-end test starts it), then runs type-check,
# lint and every test. `npm test` and CI (.ci/run) both run exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for f in /lib/nut/upsd /lib/nut/dummy-ups /lib/nut/upsmon /lib/nut/nutdrv_qx /lib/nut/apcsmart /usr/bin/upsc /usr/bin/upsrw /usr/bin/upscmd /usr/bin/socat /usr/bin/gcc /usr/include/stdio.h /usr/bin/systemd-analyze /usr/sbin/useradd /usr/sbin/mosquitto /usr/bin/mosquitto_passwd /usr/bin/openssl /lib/nut/snmp-ups /usr/bin/snmpsimd /usr/sbin/snmpd /usr/bin/snmpget /usr/bin/chromium /usr/bin/qemu-aarch64-static /usr/bin/qemu-arm-static /usr/bin/certutil /usr/bin/pk12util; do
  [ -e "$f" ] || missing+=("$f")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing NUT 2.8 peers, socat (serial ptys) and gcc (a line-ioctl stand-in for the real genericups), systemd-analyze and useradd (install tests), mosquitto (MQTT tests), openssl (test certificates), nut-snmp + snmpsim + snmpd (SNMP tests), chromium (the page test), qemu-user-static (ARM builds) and libnss3-tools (NSS certificate databases for the STARTTLS tests: Debian's NUT is built with NSS) (missing: ${missing[*]})"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nut-server nut-client socat gcc libc6-dev systemd passwd mosquitto openssl nut-snmp snmpsim snmpd snmp chromium qemu-user-static libnss3-tools >/dev/null
fi

# The ARM builds run under qemu-user with Debian's arm64 / armhf C and C++ runtimes and the
# libraries the usb and node-hid addons link (libudev, libusb).
arm_libs=(libc6:arm64 libstdc++6:arm64 libudev1:arm64 libusb-1.0-0:arm64 libc6:armhf libstdc++6:armhf libudev1:armhf libusb-1.0-0:armhf libatomic1:armhf)
if ! dpkg -s "${arm_libs[@]}" >/dev/null 2>&1; then
  echo "== installing the arm64 and armhf runtime libraries for the ARM builds under qemu-user"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO dpkg --add-architecture arm64
  $SUDO dpkg --add-architecture armhf
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${arm_libs[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "== npm ci"
  npm ci --no-audit --no-fund
fi

echo "== build (type-check + bundle + single executable)"
npm run -s build

# The ARM executables test/e2e/arm-builds.test.ts runs under qemu-user; the tree was type-checked
# just above. Each takes 10-15 s (bundle, SEA blob, inject; the first also fetches its Node base and
# usb addon from the npm registry into .cache/) and is skipped when nothing it is made of changed.
echo "== ARM builds (dist/upsagent-linux-arm64, dist/upsagent-linux-armv7l)"
npm run -s build -- --no-typecheck --target linux-arm64
npm run -s build -- --no-typecheck --target linux-armv7l

echo "== lint"
npx eslint src test build bench

echo "== tests"
shopt -s globstar nullglob
files=(test/unit/**/*.test.ts test/interop/**/*.test.ts test/e2e/**/*.test.ts)
exec npx tsx --test --test-timeout=180000 "${files[@]}"
