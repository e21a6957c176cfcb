/**
 * Where `upsagent install` puts things on a system (FHS: a locally installed
 * program under /usr/local, configuration in /etc, state in /var/lib).
 * Every path is absolute on the target system; --root prefixes them.
 */
import { ROLE_ACCOUNT } from '../privilege/config';

export interface Layout {
  binary: string;
  unit: string;
  udevRules: string;
  configDir: string;
  config: string;
  stateDir: string;
  /** What install created, read by uninstall. */
  manifest: string;
  /** The power-down flag of a config install writes (on the root file system, where the halt script finds it). */
  powerDownFlag: string;
  account: string;
  service: string;
}

export const DEFAULT_LAYOUT: Layout = {
  binary: '/usr/local/bin/upsagent',
  unit: '/etc/systemd/system/upsagent.service',
  // Before 73-seat-late.rules, where uaccess ACLs are applied; NUT's are 62-nut-usbups.rules.
  udevRules: '/etc/udev/rules.d/62-upsagent.rules',
  configDir: '/etc/upsagent',
  config: '/etc/upsagent/upsagent.yaml',
  stateDir: '/var/lib/upsagent',
  manifest: '/var/lib/upsagent/install-manifest.json',
  powerDownFlag: '/etc/upsagent/killpower',
  account: ROLE_ACCOUNT,
  service: 'upsagent.service',
};
