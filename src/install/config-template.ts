/**
 * The configuration `upsagent install` writes when there is none: the least
 * that protects this host from a USB UPS, with comments pointing at the rest
 * (config.example.yaml documents every key).
 */
import type { Layout } from './layout';

export function renderConfig(l: Layout): string {
  return `# upsagent configuration, written by \`upsagent install\` (\`upsagent uninstall\` keeps it; --purge removes it).
# Every key is explained in config.example.yaml, which comes with upsagent (see docs/install.md).
# After a change: \`upsagent config check ${l.config}\`, then \`systemctl restart upsagent\`.

# The UPS: the first USB HID UPS found. \`upsagent scan\` prints a ups: section for what is plugged in
# (a serial UPS, or one of several); paste it here instead.
ups:
  myups:
    driver: usbhid
    port: auto

# NUT clients on this host only. To serve a NAS or other hosts, add this host's address: "0.0.0.0:3493".
server:
  listen: ["127.0.0.1:3493", "[::1]:3493"]

# No users: read-only. A NAS (Synology expects monuser / secret) or another host's upsmon needs one:
# users:
#   monuser:
#     password: "a-long-random-password"
#     upsmon: secondary

# Shut this host down when the UPS is on battery and low, as upsmon does.
monitor:
  ups:
    - name: myups
      role: primary
  shutdownCommand: "/sbin/shutdown -h +0"
  # On the root file system, where the end of the shutdown finds it: \`upsagent killpower check\`.
  powerDownFlag: ${l.powerDownFlag}
  stateFile: ${l.stateDir}/monitor.json

# The account the agent runs as once its port and device are open; only a small helper stays root,
# for the shutdown command and the power-down flag.
run:
  user: ${l.account}
`;
}
