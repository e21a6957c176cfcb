/**
 * ups.conf -> `ups:` (NUT's docs/man/ups.conf.txt, common/upsconf.c). Each
 * `[name]` section becomes a UPS entry with its driver under NUT's name
 * (the registry accepts them), `port`, `desc`, `sdcommands`,
 * `pollinterval` as pollInterval, and every driver option our driver takes
 * by the same name (snmp-ups' options too: our snmp driver keeps their
 * names). What only upsdrvctl or the driver process itself needs
 * (user, chroot, retries, USB interface numbers...) is left out with a note.
 */
import { isAbsolute, resolve } from 'node:path';
import { NAME, NAME_TEXT } from '../core/config';
import { COMMON_DRIVER_OPTIONS, DRIVERS } from '../drivers/registry';
import { isRelayPort } from '../drivers/relay/config';
import { mibNames } from '../drivers/snmp/mibs/index';
import { Notes } from './notes';
import { settingOf, splitSections, type NutLine } from './parse';
import { asOption } from './values';

export type UpsEntry = Record<string, unknown>;

export interface UpsConfImport {
  ups: Record<string, UpsEntry>;
  /** Every section's name, carried over or not. */
  sections: string[];
  notes: Notes;
}

/** Why upsdrvctl's own settings (and the driver process's) have no place here. */
const PROCESS_KEYS: Record<string, string> = {
  chroot: 'the agent does not chroot its drivers (they run inside it)',
  driverpath: 'the drivers are built into upsagent',
  statepath: 'there are no driver sockets: the drivers run inside the agent',
  user: 'the drivers run inside the agent, as its own user',
  group: 'the drivers run inside the agent, as its own group',
  maxstartdelay: 'there is no driver process to wait for; a device is opened with its own deadline (timeout)',
  maxretry: 'a driver that cannot open its device keeps trying with backoff (up to 30 s) instead of giving up',
  retrydelay: 'a driver that cannot open its device keeps trying with backoff (the poll interval, doubling up to 30 s)',
  nowait: 'there is no upsdrvctl to wait for',
  synchronous: 'drivers do not write to a socket, so there is nothing to make synchronous',
  debug_min: 'use log.level: debug for the agent',
  nolock: 'upsagent does not lock serial ports (no lock file)',
  sdorder: 'upsagent shutdown-ups shuts UPSes down in the order of the ups: section',
  allow_killpower: 'upsagent shutdown-ups is the way to have a UPS cut its power; there is no killpower command on the wire',
};

/** NUT's USB drivers ignore `port`; ours read `auto` as USB. */
const USB_DRIVERS = new Set(['usbhid-ups', 'blazer_usb']);

/** The dummy-ups modes, as our dummy driver names them. */
const DUMMY_MODES: Record<string, 'once' | 'loop' | undefined> = { 'dummy-once': 'once', 'dummy-loop': 'loop', dummy: 'loop' };

/** snmp-ups' options whose value is a secret (VAR_SENSITIVE in snmp-ups.c): never shown in a note. */
const SNMP_SECRETS = new Set(['community', 'secname', 'authpassword', 'privpassword']);

/**
 * What snmp-ups takes and our snmp driver does not (its other options have
 * snmp-ups' names and values, and go through the schema like any driver's).
 */
function snmpOnly(key: string, value: string | null): string | undefined {
  const k = key.toLowerCase();
  if (k === 'mibs' && value === '--list') return `snmp-ups lists its mappings and exits with this; upsagent's snmp driver has auto (the default), ${mibNames().join(', ')}`;
  if (k === 'privprotocol' && value?.toUpperCase() === 'AES192') {
    return 'privProtocol AES192 is not in upsagent\'s snmp driver (DES, AES, AES256); without privProtocol it uses DES, so set the one the card\'s user has (AES or AES256) or this UPS will not answer';
  }
  return undefined;
}

/** The NUT drivers not in upsagent: their UPS is written commented out. */
function missingDriver(name: string): string {
  const ours = DRIVERS.filter((d) => !d.schema.alias).map((d) => d.schema.name);
  return `NUT's ${name} driver is not part of upsagent (it has ${ours.join(', ')}, and NUT's names for them): this UPS is written commented out`;
}

export function mapUpsConf(lines: readonly NutLine[], file: string, nutDir: string): UpsConfImport {
  const notes = new Notes(file);
  const ups: Record<string, UpsEntry> = {};
  const { global, sections } = splitSections(lines);

  let pollInterval: number | undefined;
  for (const l of global) {
    const s = settingOf(l);
    if (s.kind === 'ignored') {
      notes.skip(l, ['ups'], 'NUT ignores this line (neither `key = value` nor a flag)');
      continue;
    }
    const key = s.key.toLowerCase();
    if (key === 'pollinterval' && s.kind === 'value' && Number(s.value) > 0) {
      pollInterval = Number(s.value);
      notes.add(l, ['ups'], `pollinterval = ${s.value}: written as pollInterval of each UPS that sets none`);
    } else if (key in PROCESS_KEYS) notes.skip(l, ['ups'], PROCESS_KEYS[key]!);
    else notes.skip(l, ['ups'], 'not a global ups.conf setting NUT knows');
  }

  const seen = new Set<string>();
  for (const sec of sections) {
    const at = ['ups', sec.name];
    if (seen.has(sec.name)) {
      // upsconf.c hands each line to the driver that owns the section: a second [name] adds to the first.
      notes.add(sec.line, at, `[${sec.name}] appears again here; its lines are read into the first one, as NUT does`);
    }
    seen.add(sec.name);
    const entry: UpsEntry = ups[sec.name] ?? {};
    const options: Array<{ l: NutLine; key: string; value: string | null }> = [];
    for (const l of sec.entries) {
      const s = settingOf(l);
      if (s.kind === 'ignored') {
        notes.skip(l, at, 'NUT ignores this line (neither `key = value` nor a flag)');
        continue;
      }
      if (s.kind === 'value' && s.extra.length > 0) notes.add(l, at, `${s.key}: the words after "${s.value}" (${s.extra.join(' ')}) are ignored, as NUT ignores them; quote a value with blanks`);
      options.push({ l, key: s.key, value: s.kind === 'value' ? s.value : null });
    }
    const last = (key: string) => options.filter((o) => o.key === key).at(-1);
    const driver = last('driver');
    const port = last('port');
    if (!driver || driver.value === null) {
      notes.add(sec.line, ['ups'], `[${sec.name}] has no driver = line; NUT cannot start it either, so it is left out`);
      continue;
    }
    if (!NAME.test(sec.name)) {
      notes.add(sec.line, ['ups'], `[${sec.name}]: a UPS name here is ${NAME_TEXT}; rename it and add it by hand`);
      continue;
    }
    entry.driver = driver.value;
    if (port?.value !== null && port?.value !== undefined) entry.port = port.value;
    const spec = DRIVERS.find((d) => d.schema.name === driver.value);
    const supported = spec !== undefined;
    const snmp = spec !== undefined && (spec.schema.name === 'snmp' || spec.schema.name === 'snmp-ups');

    for (const o of options) {
      const { l, key, value } = o;
      const k = key.toLowerCase();
      if (key === 'driver' || key === 'port') continue;
      if (key === 'desc') {
        if (value !== null) entry.desc = value;
        continue;
      }
      if (k in PROCESS_KEYS) {
        notes.skip(l, at, PROCESS_KEYS[k]!);
        continue;
      }
      if (k.startsWith('usb_')) {
        notes.skip(l, at, 'the USB interface and endpoint numbers are not configurable in upsagent (it uses the ones the device describes)');
        continue;
      }
      if (k === 'pollinterval') {
        if (value !== null && Number(value) > 0) entry.pollInterval = Number(value);
        else notes.skip(l, at, 'pollinterval needs a number of seconds');
        continue;
      }
      if (k === 'sdcommands') {
        if (value !== null) entry.sdcommands = value.split(',').map((c) => c.trim()).filter((c) => c !== '');
        continue;
      }
      if (!supported) {
        entry[key] = value ?? true;
        continue;
      }
      if (spec.schema.name === 'dummy-ups' && k === 'mode') {
        const m = value === null ? undefined : DUMMY_MODES[value];
        if (m) entry.mode = m;
        else if (value === 'repeater') notes.add(l, at, 'mode = repeater: the port names another server\'s UPS, which upsagent\'s relay serves (no mode: key needed)');
        else notes.skip(l, at, 'dummy-ups modes are dummy-once, dummy-loop, repeater');
        continue;
      }
      const secret = snmp && SNMP_SECRETS.has(k) ? [2] : [];
      const snmpWhy = snmp ? snmpOnly(key, value) : undefined;
      if (snmpWhy !== undefined) {
        notes.skip(l, at, snmpWhy, secret);
        continue;
      }
      const schema = spec.schema.options[key] ?? (COMMON_DRIVER_OPTIONS as Record<string, typeof spec.schema.options[string]>)[key];
      if (!schema && /^(override|default)\./.test(k)) {
        const v = key.replace(/^[^.]+\./, '');
        notes.skip(l, at, k.startsWith('override.') ? `the ${driver.value} driver of upsagent has no ${key}: NUT serves ${v} as ${value ?? ''} and read-only; upsagent serves what the device says` : `the ${driver.value} driver of upsagent has no ${key}: NUT serves ${v} as ${value ?? ''} when the device gives none`);
        continue;
      }
      if (!schema) {
        notes.skip(l, at, `the ${driver.value} driver of upsagent has no option ${key}`);
        continue;
      }
      const r = asOption(schema, value);
      if (r.ok) entry[key] = r.value;
      // A secret's complaint would quote it: only what the option wants is said.
      else notes.skip(l, at, secret.length ? `${key} must be ${schema.expected}` : `${key} ${r.message}`, secret);
    }

    if (!supported) {
      // Shown in a comment: an SNMP community or password is masked there, as every secret of a note is.
      const masked = Object.fromEntries(Object.entries(entry).map(([k, v]) => [k, /pass|community/i.test(k) ? '****' : v]));
      notes.commentOut(sec, ['ups'], sec.name, masked, missingDriver(driver.value));
      continue;
    }
    if (typeof entry.port !== 'string') {
      notes.add(sec.line, ['ups'], `[${sec.name}] has no port = line; NUT cannot start it either, so it is left out`);
      continue;
    }
    if (spec.schema.name === 'dummy-ups') {
      // Repeater mode (an @ in the port, or mode = repeater: then a bare name is a UPS of localhost, as upsclient reads it).
      const given = entry.port;
      const upstream = !isRelayPort(given) && entry.mode === undefined && last('mode')?.value === 'repeater' ? `${given}@localhost` : given;
      if (isRelayPort(upstream)) {
        entry.port = upstream;
        notes.add(port!.l, at, `port = ${upstream}: dummy-ups in repeater mode; upsagent serves it with its relay (one connection to that server). For SET VAR and INSTCMD through it, add user: and password: of a user of that server`);
      } else if (!isAbsolute(given)) {
        // dummy-ups reads a relative file from NUT's folder; ours would look beside the new configuration.
        const abs = resolve(nutDir, given);
        notes.add(port!.l, at, `port = ${given}: written as ${abs}, where dummy-ups reads it (NUT's configuration folder)`);
        entry.port = abs;
      }
    }
    if (USB_DRIVERS.has(spec.schema.name) && entry.port !== 'auto') {
      notes.add(port!.l, at, `port = ${entry.port}: NUT's USB drivers ignore port; written as auto (the device is found by vendorid/productid/serial)`);
      entry.port = 'auto';
    }
    if (snmp && entry.snmp_version === 'v3' && entry.secLevel === 'authPriv' && String(entry.privProtocol ?? 'DES').toUpperCase() === 'DES') {
      notes.add(last('privProtocol')?.l ?? sec.line, at, `privProtocol ${entry.privProtocol === undefined ? 'DES (the default)' : 'DES'}: Node's OpenSSL 3 has single DES only in its legacy provider, so start upsagent with NODE_OPTIONS=--openssl-legacy-provider (or give the card's user AES and set privProtocol: AES)`);
    }
    if (pollInterval !== undefined && entry.pollInterval === undefined) entry.pollInterval = pollInterval;
    ups[sec.name] = entry;
  }
  return { ups, sections: sections.map((s) => s.name), notes };
}
