/**
 * The systemd unit. The agent starts as root so that it can open its ports
 * and devices and keep the privileged helper (the shutdown command and the
 * power-down flag), then drops to the role account itself: so no User=
 * here, and the sandbox is what systemd offers a root service.
 *
 * NoNewPrivileges holds: dropping privileges is not gaining them, and the
 * helper never execs a setuid program to become root, it stays root. (A
 * shutdownCommand that goes through sudo would need it off.) The capability
 * set is the least the root half needs: change uid/gid, bind a port below
 * 1024 if one is configured, and CAP_SYS_BOOT for the shutdown command
 * (logind accepts a shutdown request from a process that holds it). The
 * agent, once it is the role account, holds no capability at all.
 */
import { dirname } from 'node:path';
import { DEFAULT_PID_FILE } from '../core/config';

export interface UnitOptions {
  binary: string;
  config: string;
  account: string;
  stateDir: string;
  /** Folders the root helper must be able to write in spite of ProtectSystem=strict (the flag's). */
  writablePaths: string[];
  /** Serial ports of the configuration, allowed by path besides the device classes. */
  serialPorts: string[];
}

/** Device classes (as /proc/devices names them) a UPS may sit behind: USB HID, libusb, serial. */
export const DEVICE_CLASSES = ['hidraw', 'usb_device', 'ttyUSB', 'ttyACM', 'ttyS'] as const;

/** systemd splits ExecStart= words on spaces; a path with one must be quoted. */
function word(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `"${s.replace(/(["\\])/g, '\\$1')}"`;
}

export function renderUnit(o: UnitOptions): string {
  const rw = [...new Set([o.stateDir, ...o.writablePaths])];
  return `# Written by \`upsagent install\`; \`upsagent uninstall\` removes it.
[Unit]
Description=upsagent: UPS drivers, NUT-protocol server and shutdown monitor
Documentation=man:upsd(8) man:upsmon(8)
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
# Starts as root, opens its ports and devices, then runs as ${o.account} (run.user
# in the configuration; ${o.account} by default when that account exists); only a
# small helper stays root for the shutdown command and the power-down flag.
ExecStart=${word(o.binary)} run --config ${word(o.config)} --pid-file ${word(DEFAULT_PID_FILE)}
# \`systemctl reload upsagent\` and \`upsagent reload\` re-read the configuration (SIGHUP),
# keeping the NUT clients of UPSes that did not change; the pid and each reload's
# outcome are kept in /run/upsagent (written while still root, so /run stays read-only).
ExecReload=/bin/kill -HUP $MAINPID
RuntimeDirectory=upsagent
RuntimeDirectoryMode=0755
Restart=on-failure
RestartSec=5s
# The main process first; the helper ends on its own when the agent is gone.
KillMode=mixed
TimeoutStopSec=20s
UMask=0027

# Sandbox
NoNewPrivileges=yes
CapabilityBoundingSet=CAP_SETUID CAP_SETGID CAP_NET_BIND_SERVICE CAP_SYS_BOOT
ProtectSystem=strict
ReadWritePaths=${rw.map(word).join(' ')}
CacheDirectory=upsagent
CacheDirectoryMode=0700
ProtectHome=yes
PrivateTmp=yes
PrivateMounts=yes
ProtectProc=invisible
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
RemoveIPC=yes
SystemCallArchitectures=native
SystemCallFilter=@system-service
SystemCallErrorNumber=EPERM
# MemoryDenyWriteExecute stays off: Node's JIT compiler writes the code it runs.
# The UPS: USB HID (hidraw), USB-to-serial bridges through libusb, serial ports.
DevicePolicy=closed
${DEVICE_CLASSES.map((c) => `DeviceAllow=char-${c} rw`).join('\n')}
${o.serialPorts.map((p) => `DeviceAllow=${word(p)} rw\n`).join('')}
[Install]
WantedBy=multi-user.target
`;
}

/** The folder the root helper writes the flag in. */
export function flagFolder(flag: string): string {
  return dirname(flag);
}
