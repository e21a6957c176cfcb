/**
 * import-nut: each NUT file's mapping, the whole import of the fixture sets
 * (test/fixtures/nutconf) through the agent's own config check, what cannot
 * be carried over becoming comments with file and line, and NUT's driver
 * names in the config.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import YAML from 'yaml';
import { parseConfig, validateConfig } from '../../src/app/config';
import { runConfigCheck } from '../../src/cli/commands/config-check';
import { runImportNut } from '../../src/cli/commands/import-nut';
import { MemoryIO } from '../../src/cli/io';
import { EventBus } from '../../src/core/bus';
import { ConfigError } from '../../src/core/errors';
import { MemoryLogger } from '../../src/core/logger';
import { UpsStore } from '../../src/core/state';
import { createDriver, DRIVERS } from '../../src/drivers/registry';
import { importNut, NutConfError, NutImportError, readNutFolder, type ImportResult } from '../../src/nutconf/import';
import { mapNutConf } from '../../src/nutconf/nut-conf';
import { parseNutConf } from '../../src/nutconf/parse';
import { mapUpsConf } from '../../src/nutconf/ups-conf';
import { mapUpsdConf } from '../../src/nutconf/upsd-conf';
import { mapUpsdUsers } from '../../src/nutconf/upsd-users';
import { mapUpsmonConf } from '../../src/nutconf/upsmon-conf';
import { mapUpsschedConf } from '../../src/nutconf/upssched-conf';

const FIXTURES = resolve(__dirname, '../fixtures/nutconf');
const lines = (text: string, file = 'x.conf') => parseNutConf(text, file).lines;
const imp = (set: string, opts = {}): ImportResult => importNut(join(FIXTURES, set), readNutFolder(join(FIXTURES, set)), opts);
const noteTexts = (notes: Array<{ line: number; text: string }>) => notes.map((n) => `${n.line}: ${n.text}`);

/** A folder of NUT files written by the test. */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-nutconf-'));
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return dir;
}

/** Imports a folder of these files, removed afterwards. */
function importFiles(files: Record<string, string>): ImportResult {
  const dir = folder(files);
  try {
    return importNut(dir, readNutFolder(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('ups.conf -> ups:', () => {
  test('sections with driver, port, desc, pollinterval (global as default), sdcommands; driver options by name and type', () => {
    const r = mapUpsConf(
      lines('pollinterval = 4\n[a]\n driver = usbhid-ups\n port = auto\n desc = "Office"\n vendorid = 051d\n productid = 0002\n pollonly\n offdelay = 60\n sdcommands = shutdown.return,load.off\n[b]\n driver = nutdrv_qx\n port = /dev/ttyUSB0\n pollinterval = 1\n runtimecal = 240,100,720,50\n default.battery.voltage.high = 27.4\n'),
      'ups.conf',
      '/etc/nut',
    );
    assert.deepEqual(r.ups, {
      a: { driver: 'usbhid-ups', port: 'auto', desc: 'Office', vendorid: '051d', productid: '0002', pollonly: true, offdelay: 60, sdcommands: ['shutdown.return', 'load.off'], pollInterval: 4 },
      b: { driver: 'nutdrv_qx', port: '/dev/ttyUSB0', pollInterval: 1, runtimecal: '240,100,720,50', 'default.battery.voltage.high': 27.4 },
    });
  });

  test("upsdrvctl's and the driver process's settings become notes with their line", () => {
    const r = mapUpsConf(lines('maxretry = 3\nretrydelay = 5\nuser = nut\nchroot = /x\n[a]\n driver = dummy-ups\n port = /d.dev\n nolock\n sdorder = 2\n usb_set_altinterface = 0\n'), 'ups.conf', '/etc/nut');
    assert.deepEqual(r.ups.a, { driver: 'dummy-ups', port: '/d.dev' });
    assert.deepEqual(
      r.notes.list.map((n) => [n.line, n.at.join('.'), n.text.split(':')[0]]),
      [
        [1, 'ups', 'maxretry = 3'],
        [2, 'ups', 'retrydelay = 5'],
        [3, 'ups', 'user = nut'],
        [4, 'ups', 'chroot = /x'],
        [8, 'ups.a', 'nolock'],
        [9, 'ups.a', 'sdorder = 2'],
        [10, 'ups.a', 'usb_set_altinterface = 0'],
      ],
    );
  });

  test('an option our driver lacks, a value of the wrong kind, an ignored line: notes, the rest kept', () => {
    const r = mapUpsConf(lines('[q]\n driver = nutdrv_qx\n port = /dev/ttyS0\n pollfreq = often\n explore\n override.battery.charge.low = 30\n desc x y\n'), 'ups.conf', '/etc/nut');
    assert.deepEqual(r.ups.q, { driver: 'nutdrv_qx', port: '/dev/ttyS0', 'override.battery.charge.low': 30 });
    assert.deepEqual(noteTexts([...r.notes.list].sort((a, b) => a.line - b.line)), [
      '4: pollfreq = often: pollfreq "often" is not a whole number from 1 to 3600',
      '5: explore: the nutdrv_qx driver of upsagent has no option explore',
      '7: desc x y: NUT ignores this line (neither `key = value` nor a flag)',
    ]);
    const d = mapUpsConf(lines('[d]\n driver = dummy-ups\n port = /x.dev\n override.battery.charge.low = 30\n'), 'ups.conf', '/etc/nut');
    assert.match(d.notes.list[0]!.text, /NUT serves battery.charge.low as 30 and read-only/);
  });

  test('dummy-ups: a relative file is where dummy-ups reads it (the NUT folder); modes as ours name them; repeater mode is the relay', () => {
    const r = mapUpsConf(
      lines('[a]\n driver = dummy-ups\n port = a.dev\n mode = dummy-once\n[b]\n driver = dummy-ups\n port = b.seq\n mode = dummy-loop\n[c]\n driver = dummy-ups\n port = up@10.0.0.7\n[d]\n driver = dummy-ups\n port = other\n mode = repeater\n'),
      'ups.conf',
      '/etc/nut',
    );
    assert.deepEqual(r.ups, {
      a: { driver: 'dummy-ups', port: '/etc/nut/a.dev', mode: 'once' },
      b: { driver: 'dummy-ups', port: '/etc/nut/b.seq', mode: 'loop' },
      // As dummy-ups: an @ in the port is repeater mode; mode = repeater with a bare name repeats a UPS of localhost.
      c: { driver: 'dummy-ups', port: 'up@10.0.0.7' },
      d: { driver: 'dummy-ups', port: 'other@localhost' },
    });
    assert.deepEqual(r.notes.commentedOut, []);
    assert.ok(r.notes.list.some((n) => n.line === 11 && /repeater mode; upsagent serves it with its relay/.test(n.text)), r.notes.list.map((n) => n.text).join('\n'));
  });

  test("NUT's USB drivers ignore port: written as auto, with a note", () => {
    const r = mapUpsConf(lines('[u]\n driver = usbhid-ups\n port = /dev/usb/hiddev0\n[b]\n driver = blazer_usb\n port = x\n'), 'ups.conf', '/etc/nut');
    assert.equal(r.ups.u!.port, 'auto');
    assert.equal(r.ups.b!.port, 'auto');
    assert.match(r.notes.list[0]!.text, /ignore port; written as auto/);
  });

  test('snmp-ups is carried over with its options; a driver upsagent does not have is commented out with why; a section without driver or port is left out', () => {
    const r = mapUpsConf(lines('[n]\n driver = snmp-ups\n port = 10.0.0.9\n community = public\n[x]\n driver = bcmxcp\n port = /dev/ttyS0\n[nodrv]\n port = /dev/ttyS1\n[noport]\n driver = apcsmart\n'), 'ups.conf', '/etc/nut');
    assert.deepEqual(r.ups, { n: { driver: 'snmp-ups', port: '10.0.0.9', community: 'public' } });
    assert.deepEqual(r.notes.commentedOut.map((c) => [c.key, c.value]), [['x', { driver: 'bcmxcp', port: '/dev/ttyS0' }]]);
    assert.match(r.notes.commentedOut[0]!.note.text, /NUT's bcmxcp driver is not part of upsagent/);
    assert.deepEqual(noteTexts(r.notes.list).map((t) => t.replace(/;.*/, '')), ['8: [nodrv] has no driver = line', '10: [noport] has no port = line']);
  });

  test("snmp-ups: every option of snmp-ups(8) by its name and type (driver snmp too); what ours lacks is a note that never shows a secret; v3 DES says it needs the legacy provider", () => {
    const r = mapUpsConf(
      lines(
        '[v1]\n driver = snmp\n port = [fd00::9]:161\n mibs = apcc\n community = "c0mm"\n snmp_version = v1\n snmp_retries = 3\n snmp_timeout = 2\n symmetrathreephase\n pollfreq = 20\n notransferoids\n semistaticfreq = 4\n ondelay = 30\n offdelay = 20\n' +
          '[v3]\n driver = snmp-ups\n port = card\n snmp_version = v3\n secLevel = authPriv\n secName = u3\n authPassword = "a-long-pass"\n privPassword = "p-long-pass"\n authProtocol = SHA256\n privProtocol = AES192\n mibs = --list\n shutdown_delay = 5\n' +
          '[aes]\n driver = snmp-ups\n port = card2\n snmp_version = v3\n secLevel = authPriv\n secName = u4\n authPassword = "a-long-pass"\n privPassword = "p-long-pass"\n privProtocol = AES\n' +
          '[v2]\n driver = snmp-ups\n port = card3\n snmp_version = v2c\n privPassword = short\n',
      ),
      'ups.conf',
      '/etc/nut',
    );
    assert.deepEqual(r.ups.v1, {
      driver: 'snmp', port: '[fd00::9]:161', mibs: 'apcc', community: 'c0mm', snmp_version: 'v1', snmp_retries: 3, snmp_timeout: 2, symmetrathreephase: true, pollfreq: 20, notransferoids: true, semistaticfreq: 4, ondelay: 30, offdelay: 20,
    });
    assert.deepEqual(r.ups.v3, { driver: 'snmp-ups', port: 'card', snmp_version: 'v3', secLevel: 'authPriv', secName: 'u3', authPassword: 'a-long-pass', privPassword: 'p-long-pass', authProtocol: 'SHA256' });
    assert.deepEqual(r.ups.aes!.privProtocol, 'AES');
    const t = noteTexts([...r.notes.list].sort((a, b) => a.line - b.line));
    assert.equal(t.length, 5, t.join('\n'));
    assert.match(t[0]!, /^24: privProtocol = AES192: privProtocol AES192 is not in upsagent's snmp driver/);
    // AES192 left out, the driver would use DES: said with what it needs.
    assert.match(t[1]!, /^24: privProtocol DES \(the default\): .*NODE_OPTIONS=--openssl-legacy-provider/);
    assert.match(t[2]!, /^25: mibs = --list: snmp-ups lists its mappings and exits/);
    assert.match(t[3]!, /^26: shutdown_delay = 5: the snmp-ups driver of upsagent has no option shutdown_delay/);
    assert.match(t[4]!, /^40: privPassword = \*\*\*\*: privPassword must be /);
    assert.ok(!t.join('\n').includes('short'), t.join('\n'));
    assert.equal(r.ups.v2!.privPassword, undefined);
    // AES: nothing about DES.
    assert.ok(!r.notes.list.some((n) => n.line > 26 && /DES/.test(n.text)));
    // What is carried over is what our snmp driver takes, for each NUT spelling.
    const issues: Array<{ path: string; message: string }> = [];
    for (const [name, u] of Object.entries(r.ups)) DRIVERS.find((d) => d.schema.name === u.driver)!.schema.check?.(u as never, `ups.${name}`, issues);
    assert.deepEqual(issues, []);
  });

  test('a UPS name we cannot take is left out with a note, not renamed', () => {
    const r = mapUpsConf(lines('[my ups]\n driver = dummy-ups\n port = /a.dev\n[_x]\n driver = dummy-ups\n port = /a.dev\n'), 'ups.conf', '/etc/nut');
    assert.deepEqual(Object.keys(r.ups), []);
    // `[my ups]` is two words, so no header at all: NUT reads it and the lines after it as global junk.
    assert.deepEqual(noteTexts(r.notes.list).map((t) => t.replace(/:.*?: /, ': ')), ['1: NUT ignores this line (neither `key = value` nor a flag)', '2: not a global ups.conf setting NUT knows', '3: not a global ups.conf setting NUT knows', '4: a UPS name here is letters, digits, "_", "-" and "." and not starting with a punctuation mark; rename it and add it by hand']);
  });
});

describe('upsd.conf -> server:', () => {
  test('LISTEN (IPv4, IPv6 in brackets, default port), MAXAGE, MAXCONN, ALLOW_NOT_ALL_LISTENERS', () => {
    const r = mapUpsdConf(lines('LISTEN 0.0.0.0 3493\nLISTEN ::1\nLISTEN 192.168.1.2 3494\nMAXAGE 20\nMAXCONN 100\nALLOW_NOT_ALL_LISTENERS 0\n'), 'upsd.conf');
    assert.deepEqual(r.server, { listen: ['0.0.0.0:3493', '[::1]:3493', '192.168.1.2:3494'], maxAge: 20, maxClients: 100, allowNotAllListeners: false });
    assert.deepEqual(r.notes.list, []);
  });

  test('TLS, state and tracking directives are notes; a secret in CERTIDENT is masked; lower case is ignored as upsd ignores it', () => {
    const r = mapUpsdConf(lines('CERTIDENT "srv" "db-pass"\nSTATEPATH /run/nut\nTRACKINGDELAY 10\nmaxage 5\nMAXAGE soon\nFOO 1\n'), 'upsd.conf');
    assert.deepEqual(r.server, {});
    const t = noteTexts(r.notes.list);
    assert.ok(!t.join('\n').includes('db-pass'), t.join('\n'));
    assert.match(t[0]!, /^1: CERTIDENT srv \*\*\*\*: TLS/);
    assert.match(t[1]!, /^2: STATEPATH/);
    assert.match(t[3]!, /^4: maxage 5: upsd reads directive names in upper case only/);
    assert.match(t[4]!, /^5: MAXAGE soon: MAXAGE needs a number/);
    assert.match(t[5]!, /^6: FOO 1: not a directive upsd knows/);
    assert.match(t[6]!, /no LISTEN line: upsd listens on localhost only/);
  });
});

describe('upsd.users -> users:', () => {
  test('both forms, several actions and instcmds per line and over lines, upsmon old and new names', () => {
    const r = mapUpsdUsers(
      lines('[admin]\n password = "a b"\n actions = SET\n actions = fsd\n instcmds = ALL\n[op]\n password=op\n actions = SET FSD\n instcmds = load.off test.battery.start\n instcmds = LOAD.OFF\n[m]\n password = m\n upsmon master\n[s]\n password = s\n upsmon = slave\n[p]\n password = p\n upsmon secondary\n upsmon primary\n'),
      'upsd.users',
    );
    assert.deepEqual(r.users, {
      admin: { password: 'a b', actions: ['set', 'fsd'], instcmds: ['all'] },
      op: { password: 'op', actions: ['set', 'fsd'], instcmds: ['load.off', 'test.battery.start'] },
      m: { password: 'm', upsmon: 'primary' },
      s: { password: 's', upsmon: 'secondary' },
      p: { password: 'p', upsmon: 'primary' },
    });
  });

  test("upsd's quirks: the first password wins, no password = nobody logs in, a duplicate section is not a second user; passwords never shown", () => {
    const r = mapUpsdUsers(lines('password = stray\n[a]\n password = one\n password = two\n[none]\n actions = SET\n[a]\n password = three\n[b]\n password = "x y" z\n allowfrom = 10.0.0.0/8\n actions = LOGIN\n actions = BOGUS\n upsmon boss\n whatever = 1\n'), 'upsd.users');
    assert.deepEqual(r.users, { a: { password: 'one' }, b: { password: 'x y', upsmon: 'secondary' } });
    const t = noteTexts(r.notes.list).join('\n');
    for (const secret of ['stray', 'two', 'three', ' z']) assert.ok(!t.includes(secret), `${secret} shown in:\n${t}`);
    for (const line of [1, 4, 5, 7, 10, 11, 12, 13, 14, 15]) assert.ok(r.notes.list.some((n) => n.line === line), `no note for line ${line}:\n${t}`);
  });
});

describe('upsmon.conf -> monitor:', () => {
  test('MONITOR lines, every number, commands, flags and messages', () => {
    const r = mapUpsmonConf(
      lines(
        'MONITOR ups@10.0.0.5:3494 2 mon "p w" master\nMINSUPPLIES 2\nPOLLFREQ 4\nPOLLFREQALERT 2\nHOSTSYNC 20\nDEADTIME 25\nFINALDELAY 3\nRBWARNTIME 86400\nNOCOMMWARNTIME 600\nOFFDURATION 60\nOVERDURATION 120\nOBLBDURATION -5\nALARMCRITICAL 0\nSHUTDOWNCMD "/sbin/poweroff now"\nPOWERDOWNFLAG /etc/killpower\nNOTIFYCMD /usr/local/bin/n\nNOTIFYMSG onbatt "on battery: %s"\nNOTIFYFLAG ONBATT SYSLOG+WALL+EXEC\nNOTIFYFLAG FSD IGNORE+EXEC\n',
      ),
      'upsmon.conf',
    );
    assert.deepEqual(r.watches.map(({ line: _l, ...w }) => w), [{ system: 'ups@10.0.0.5:3494', ups: 'ups', host: '10.0.0.5', port: 3494, powerValue: 2, role: 'primary', user: 'mon', password: 'p w' }]);
    assert.deepEqual(r.settings, {
      minSupplies: 2, pollFreq: 4, pollFreqAlert: 2, hostSync: 20, deadTime: 25, finalDelay: 3, rbWarnTime: 86400, noCommWarnTime: 600,
      offDuration: 60, overDuration: 120, obLbDuration: 0, alarmCritical: false, shutdownCommand: '/sbin/poweroff now', powerDownFlag: '/etc/killpower',
    });
    assert.deepEqual(r.notifyCmd, { command: '/usr/local/bin/n', upssched: false, line: 16 });
    assert.deepEqual(r.messages, { ONBATT: 'on battery: %s' });
    assert.deepEqual(r.routes, { ONBATT: ['log', 'wall', 'exec'], FSD: ['ignore'] });
    assert.deepEqual([...r.execTypes], ['ONBATT']);
    assert.deepEqual(r.notes.list, []);
  });

  test('SHUTDOWNEXIT yes / no / seconds as upsmon reads it', () => {
    const exit = (v: string) => mapUpsmonConf(lines(`SHUTDOWNEXIT ${v}`), 'u').settings.shutdownExit;
    assert.deepEqual(['yes', 'on', 'true', 'no', 'OFF', 'false', '30'].map(exit), [0, 0, 0, -1, -1, -1, 30]);
    assert.equal(exit('maybe'), undefined);
  });

  test('bad MONITOR lines, TLS and RUN_AS_USER become notes; a MONITOR password is never shown', () => {
    const r = mapUpsmonConf(lines('MONITOR a@h 1 u secretpw boss\nMONITOR a@h x u secretpw slave\nMONITOR a@h 1 u secretpw\nmonitor a@h 1 u secretpw slave\nCERTVERIFY 1\nFORCESSL 1\nRUN_AS_USER nut\nNOTIFYFLAG ONBATT SYSLOG+BEEP\nNOTIFYMSG NOPE x\nPOLLFREQ fast\n'), 'upsmon.conf');
    assert.deepEqual(r.watches, []);
    const t = noteTexts(r.notes.list);
    assert.equal(t.length, 10, t.join('\n'));
    assert.ok(!t.join('\n').includes('secretpw'), t.join('\n'));
    assert.match(t[0]!, /the type boss is not primary or secondary/);
    assert.match(t[3]!, /upper case only/);
  });

  test('NOTIFYCMD upssched is recognised by its program name', () => {
    assert.equal(mapUpsmonConf(lines('NOTIFYCMD /usr/sbin/upssched'), 'u').notifyCmd?.upssched, true);
    assert.equal(mapUpsmonConf(lines('NOTIFYCMD "upssched"'), 'u').notifyCmd?.upssched, true);
    assert.equal(mapUpsmonConf(lines('NOTIFYCMD /usr/local/bin/upssched-cmd'), 'u').notifyCmd?.upssched, false);
  });
});

describe('upssched.conf -> monitor.timers', () => {
  test('CMDSCRIPT, START-TIMER, START-TIMER-SHARED, CANCEL-TIMER (with its command), EXECUTE; PIPEFN and LOCKFN are notes', () => {
    const r = mapUpsschedConf(
      lines('CMDSCRIPT /bin/cmd\nPIPEFN /run/p\nLOCKFN /run/l\nAT ONBATT * START-TIMER t 30\nAT ONBATT u1 START-TIMER-SHARED s 60\nAT ONLINE * CANCEL-TIMER t back\nAT ONLINE * CANCEL-TIMER t\nAT COMMBAD * EXECUTE lost\n'),
      'upssched.conf',
      new Set(['ONBATT', 'ONLINE', 'COMMBAD']),
    );
    assert.equal(r.command, '/bin/cmd');
    assert.deepEqual(r.rules.map(({ line: _l, ...x }) => x), [
      { at: ['ONBATT'], ups: '*', start: 't', after: 30 },
      { at: ['ONBATT'], ups: 'u1', start: 's', after: 60, shared: true },
      { at: ['ONLINE'], ups: '*', cancel: 't', otherwise: 'back' },
      { at: ['ONLINE'], ups: '*', cancel: 't' },
      { at: ['COMMBAD'], ups: '*', execute: 'lost' },
    ]);
    assert.deepEqual(r.notes.list.map((n) => n.line), [2, 3]);
  });

  test('an AT of a type upsmon never hands to upssched (no EXEC) never fires in NUT: left out with a note', () => {
    const r = mapUpsschedConf(lines('CMDSCRIPT /bin/cmd\nAT LOWBATT * EXECUTE x\nAT ONBATT * START-TIMER t\nAT ONBATT * FLY away\nAT NOTATYPE * EXECUTE x\n'), 'upssched.conf', new Set(['ONBATT']));
    assert.deepEqual(r.rules, []);
    const t = noteTexts(r.notes.list);
    assert.equal(t.length, 4, t.join('\n'));
    assert.match(t[0]!, /^2: AT LOWBATT \* EXECUTE x: upsmon never hands LOWBATT to upssched/);
    assert.match(t[1]!, /^3: AT ONBATT \* START-TIMER t: START-TIMER needs the timer's name and its seconds/);
    assert.match(t[2]!, /^4: AT ONBATT \* FLY away: FLY is not START-TIMER/);
    assert.match(t[3]!, /^5: AT NOTATYPE \* EXECUTE x: NOTATYPE is not a notification type/);
  });
});

describe('nut.conf', () => {
  test('MODE in its shell forms; the rest are notes', () => {
    for (const [text, mode] of [['MODE=standalone', 'standalone'], ['MODE="netserver"', 'netserver'], ['MODE = netclient', 'netclient'], ["export MODE=none", 'none']] as const) {
      assert.equal(mapNutConf(lines(text), 'nut.conf').mode, mode, text);
    }
    const r = mapNutConf(lines('MODE=server\nUPSD_OPTIONS=""\nPOWEROFF_WAIT=5m\nALLOW_NOT_ALL_LISTENERS=true\n'), 'nut.conf');
    assert.equal(r.mode, undefined);
    assert.equal(r.allowNotAllListeners, true);
    assert.deepEqual(r.notes.list.map((n) => n.line), [1, 2, 3]);
  });
});

describe('the whole import', () => {
  for (const set of ['standalone', 'netserver', 'hardware', 'netclient']) {
    test(`${set}: the YAML written reads back, through the agent's own parser, as the configuration imported, and config check passes it`, async () => {
      const r = imp(set);
      const fromYaml = await parseConfig(r.yaml, `${set}.yaml`);
      assert.deepEqual(fromYaml, validateConfig(r.config));
      const dir = mkdtempSync(join(tmpdir(), 'upsagent-import-check-'));
      try {
        writeFileSync(join(dir, 'upsagent.yaml'), r.yaml);
        const io = new MemoryIO();
        assert.equal(await runConfigCheck(join(dir, 'upsagent.yaml'), io), 0, io.stderr);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  test('every line of every fixture that is not carried over is a comment in the YAML with its file and line', () => {
    for (const set of ['standalone', 'netserver', 'hardware', 'netclient']) {
      const r = imp(set);
      for (const n of r.notes.filter((x) => x.line > 0)) assert.ok(r.yaml.includes(`# ${n.file}:${n.line}: ${n.text.split('\n')[0]}`), `${set}: ${n.file}:${n.line} missing`);
      for (const c of r.commentedOut) assert.ok(r.yaml.includes(`# ${c.note.file}:${c.note.line}: `) && new RegExp(`# +${c.key}:\n`).test(r.yaml), `${set}: ${c.key} not commented out`);
    }
  });

  test('standalone: a local MONITOR is a local watch; upssched AT rules name it as the monitor does; no password leaks into a comment', () => {
    const r = imp('standalone');
    const mon = r.config.monitor as { ups: unknown[]; timers: { command: string; rules: Array<{ ups: string }> }; notify: Record<string, unknown> };
    assert.deepEqual(mon.ups, [
      { name: 'nas', powerValue: 1, role: 'primary' },
      { name: 'desk', powerValue: 0, role: 'primary' },
    ]);
    assert.equal(mon.timers.command, '/usr/local/bin/upssched-cmd');
    assert.deepEqual(mon.timers.rules.map((x) => x.ups), ['*', '*', 'nas', 'nas']);
    assert.equal(mon.notify.commands, undefined, 'upssched itself is not a notification command');
    const comments = r.yaml.split('\n').filter((l) => l.trimStart().startsWith('#')).join('\n');
    for (const secret of ['s3cret', 'm0n', 'watch#me', 'op-pw', 'db-secret', 'client-db-secret']) assert.ok(!comments.includes(secret), secret);
  });

  test('netserver: remote MONITOR kept with its login, NOTIFYCMD as a command, MODE and nut.conf ALLOW_NOT_ALL_LISTENERS honoured', () => {
    const r = imp('netserver');
    const mon = r.config.monitor as { ups: Array<{ name: string; user?: string }>; notify: { commands: string[] } };
    assert.deepEqual(mon.ups.map((u) => [u.name, u.user]), [['rack-a', undefined], ['rack-b', undefined], ['pdu.1', undefined], ['far-ups@192.0.2.10', 'rackhost']]);
    assert.deepEqual(mon.notify.commands, ['/usr/local/bin/rack-notify --quiet']);
    assert.equal((r.config.server as { allowNotAllListeners: boolean }).allowNotAllListeners, false);
    assert.equal(r.mode, 'netserver');
  });

  test('netclient: only the monitor; ups.conf and an upssched.conf NUT never reads are not imported, and say so', () => {
    const r = imp('netclient');
    assert.deepEqual(Object.keys(r.config), ['monitor']);
    const mon = r.config.monitor as { ups: Array<{ name: string }>; timers?: unknown };
    assert.deepEqual(mon.ups.map((u) => u.name), ['rack-a@192.0.2.5', 'rack-b@[fd00::5]:3493', 'localups@localhost']);
    assert.equal(mon.timers, undefined);
    assert.match(r.yaml, /ups.conf is not imported: with MODE=netclient/);
    assert.match(r.yaml, /upssched.conf is not imported: NOTIFYCMD is \/usr\/local\/bin\/notify-me/);
  });

  test('hardware: every NUT driver name kept (a dummy-ups repeater and snmp-ups too); an unknown driver commented out; a MONITOR of a local snmp UPS is a local watch', () => {
    const r = imp('hardware');
    const ups = r.config.ups as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.fromEntries(Object.entries(ups).map(([k, v]) => [k, v.driver])), {
      office: 'usbhid-ups', closet: 'nutdrv_qx', 'old-serial': 'blazer_ser', 'old-usb': 'blazer_usb', smart: 'apcsmart', dumb: 'genericups', netups: 'snmp-ups', cardv3: 'snmp-ups', mirror: 'dummy-ups', badqx: 'nutdrv_qx',
    });
    assert.deepEqual(ups.netups, { driver: 'snmp-ups', port: '10.0.0.9', community: 'public', snmp_version: 'v2c', mibs: 'auto' });
    assert.deepEqual(ups.cardv3, {
      driver: 'snmp-ups', port: '192.0.2.20:1161', desc: 'v3 card, DES by default', snmp_version: 'v3', secLevel: 'authPriv', secName: 'nutv3', authPassword: 'auth-secret-1', privPassword: 'priv-secret-1', authProtocol: 'SHA', pollfreq: 15, snmp_retries: 2, snmp_timeout: 3, notransferoids: true,
    });
    assert.match(r.yaml, /ups.conf:\d+: privProtocol DES \(the default\): .*--openssl-legacy-provider/);
    assert.match(r.yaml, /mibs = --list: snmp-ups lists its mappings and exits/);
    assert.deepEqual(r.commentedOut.map((c) => c.key), ['bcm']);
    assert.deepEqual((r.config.monitor as { ups: Array<{ name: string }> }).ups.map((u) => u.name), ['office', 'netups']);
    assert.match(r.yaml, /MONITOR netups@localhost: a UPS of this host, watched straight from its driver/);
  });

  test('MODE=none says there is nothing to run; --mode imports anyway', () => {
    assert.throws(() => imp('mode-none'), (e: unknown) => e instanceof NutImportError && /nut.conf:2: MODE=none: NUT is set to run nothing.*--mode/s.test(e.message));
    const r = imp('mode-none', { mode: 'standalone' });
    assert.deepEqual(Object.keys(r.config.ups as object), ['myups']);
    assert.match(r.yaml, /MODE standalone \(from --mode\) instead of nut.conf's none/);
  });

  test('no nut.conf: the mode follows the files; nothing at all to run is an error', () => {
    const a = folder({ 'ups.conf': '[u]\n driver = dummy-ups\n port = /u.dev\n' });
    const b = folder({ 'upsmon.conf': 'MONITOR u@192.0.2.1 1 m p secondary\n' });
    const c = folder({ 'upsd.conf': 'MAXAGE 5\n' });
    try {
      assert.equal(importNut(a, readNutFolder(a)).mode, 'standalone');
      assert.equal(importNut(b, readNutFolder(b)).mode, 'netclient');
      assert.throws(() => importNut(c, readNutFolder(c)), /nothing to import/);
    } finally {
      for (const d of [a, b, c]) rmSync(d, { recursive: true, force: true });
    }
  });

  test('a syntax error anywhere stops the import with every problem, file and line; nothing is written', () => {
    const dir = folder({ 'ups.conf': '[u]\n driver = dummy-ups\n port = "/u#.dev"\n', 'upsd.users': '[a]\n password = "never closed\n' });
    try {
      assert.throws(
        () => importNut(dir, readNutFolder(dir)),
        (e: unknown) => e instanceof NutConfError && e.problems.length === 2 && e.message.includes(`${join(dir, 'ups.conf')}:3: a "#" inside quotes`) && e.message.includes(`${join(dir, 'upsd.users')}:2: the quote opened on line 2 is never closed`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a value our check refuses is taken out with its reason, so the file still loads', () => {
    const r = importFiles({ 'ups.conf': '[u]\n driver = dummy-ups\n port = /u.dev\n', 'upsmon.conf': 'MONITOR u@localhost 1 a b primary\nPOLLFREQ 0\nHOSTSYNC 99999\n' });
    const mon = r.config.monitor as Record<string, unknown>;
    assert.equal(mon.pollFreq, undefined);
    assert.equal(mon.hostSync, undefined);
    assert.match(r.yaml, /# config check: monitor.pollFreq left out: monitor.pollFreq: number 0 is not a number from 1 to 3600/);
    validateConfig(r.config);
  });

  test('power values below MINSUPPLIES (upsmon refuses to start) are said, and the monitor only watches', () => {
    const r = importFiles({ 'ups.conf': '[u]\n driver = dummy-ups\n port = /u.dev\n', 'upsmon.conf': 'MONITOR u@localhost 0 a b primary\n' });
    assert.equal((r.config.monitor as { minSupplies: number }).minSupplies, 0);
    assert.match(r.yaml, /insufficient power configured/);
  });
});

/**
 * The directives of NUT 2.8.5's man pages (docs/man/*.conf.txt), by file:
 * the fixture sets together use every one of them.
 */
const DIRECTIVES: Record<string, string[]> = {
  'ups.conf': ['chroot', 'driverpath', 'statepath', 'maxstartdelay', 'maxretry', 'nowait', 'retrydelay', 'pollinterval', 'synchronous', 'user', 'group', 'debug_min', 'driver', 'port', 'sdorder', 'sdcommands', 'allow_killpower', 'desc', 'nolock', 'ignorelb', 'usb_set_altinterface', 'usb_config_index', 'usb_hid_rep_index', 'usb_hid_desc_index', 'usb_hid_ep_in', 'usb_hid_ep_out', 'default.battery.voltage.high', 'override.battery.charge.low'],
  'upsd.conf': ['MAXAGE', 'TRACKINGDELAY', 'ALLOW_NO_DEVICE', 'ALLOW_NOT_ALL_LISTENERS', 'STATEPATH', 'LISTEN', 'MAXCONN', 'CERTFILE', 'CERTPATH', 'CERTIDENT', 'CERTREQUEST', 'DISABLE_WEAK_SSL', 'DEBUG_MIN'],
  'upsd.users': ['password', 'actions', 'instcmds', 'upsmon'],
  'upsmon.conf': ['DEADTIME', 'FINALDELAY', 'HOSTSYNC', 'MINSUPPLIES', 'MONITOR', 'NOCOMMWARNTIME', 'POLLFAIL_LOG_THROTTLE_MAX', 'NOTIFYCMD', 'NOTIFYMSG', 'NOTIFYFLAG', 'POLLFREQ', 'POLLFREQALERT', 'POWERDOWNFLAG', 'OFFDURATION', 'OVERDURATION', 'OBLBDURATION', 'RBWARNTIME', 'ALARMCRITICAL', 'RUN_AS_USER', 'SHUTDOWNCMD', 'SHUTDOWNEXIT', 'CERTPATH', 'CERTIDENT', 'CERTHOST', 'CERTVERIFY', 'FORCESSL', 'DEBUG_MIN'],
  'upssched.conf': ['CMDSCRIPT', 'PIPEFN', 'LOCKFN', 'AT', 'DEBUG_MIN'],
  'nut.conf': ['MODE', 'ALLOW_NO_DEVICE', 'ALLOW_NOT_ALL_LISTENERS', 'UPSD_OPTIONS', 'UPSMON_OPTIONS', 'POWEROFF_WAIT', 'POWEROFF_QUIET', 'NUT_DEBUG_LEVEL', 'NUT_DEBUG_PID', 'NUT_DEBUG_PROCNAME', 'NUT_DEBUG_SYSLOG', 'NUT_IGNORE_CHECKPROCNAME', 'NUT_QUIET_INIT_UPSNOTIFY'],
};
const SETS = ['standalone', 'netserver', 'hardware', 'netclient', 'mode-none'];

describe('nothing lost', () => {
  test("the fixture sets together use every directive of NUT's man pages", () => {
    for (const [file, names] of Object.entries(DIRECTIVES)) {
      const used = new Set<string>();
      for (const set of SETS) {
        let text = '';
        try {
          text = readFileSync(join(FIXTURES, set, file), 'latin1');
        } catch {
          continue;
        }
        for (const l of parseNutConf(text, file).lines) used.add(l.args[0]!);
      }
      assert.deepEqual(names.filter((n) => !used.has(n)), [], `${file}: not in any fixture`);
    }
  });

  test('every line of every fixture is carried over (found in the configuration) or named by a comment with its file and line', () => {
    for (const set of SETS.filter((x) => x !== 'mode-none')) {
      const r = imp(set);
      const cfg = r.config as { ups?: Record<string, Record<string, unknown>>; server?: Record<string, unknown>; users?: Record<string, Record<string, unknown>>; monitor?: Record<string, unknown> & { ups: Array<{ name: string }>; timers?: { command?: string; rules: unknown[] } } };
      const noted = (path: string, line: number) => r.notes.some((n) => n.file === path && n.line === line) || r.commentedOut.some((c) => c.note.file === path && c.note.line === line);
      for (const file of Object.keys(DIRECTIVES)) {
        const path = join(FIXTURES, set, file);
        let text: string;
        try {
          text = readFileSync(path, 'latin1');
        } catch {
          continue;
        }
        // A file NUT would not read in this mode is named once, as a whole.
        const fileSkipped = r.notes.some((n) => n.text.startsWith(`${file} is not imported`));
        let section = '';
        let sectionLine = 0;
        for (const l of parseNutConf(text, path).lines) {
          const [d, , v] = l.args as [string, string?, string?];
          if (d.startsWith('[')) {
            section = d.slice(1, -1);
            sectionLine = l.line;
          }
          const sectionGone = noted(path, sectionLine);
          const carried = ((): boolean => {
            switch (file) {
              case 'ups.conf': {
                const e = cfg.ups?.[section];
                if (d.startsWith('[')) return e !== undefined;
                if (!e || section === '') return false;
                const k = d === 'pollinterval' ? 'pollInterval' : d;
                return k in e;
              }
              case 'upsd.conf':
                return ({ LISTEN: 'listen', MAXAGE: 'maxAge', MAXCONN: 'maxClients', ALLOW_NOT_ALL_LISTENERS: 'allowNotAllListeners' } as Record<string, string>)[d]! in (cfg.server ?? {});
              case 'upsd.users':
                return cfg.users?.[section] !== undefined && (d.startsWith('[') || ['password', 'actions', 'instcmds', 'upsmon'].includes(d.toLowerCase()));
              case 'upsmon.conf':
                return d === 'MONITOR' ? cfg.monitor?.ups.some((u) => u.name === l.args[1] || l.args[1]!.startsWith(`${u.name}@`)) === true : cfg.monitor !== undefined && !['RUN_AS_USER', 'DEBUG_MIN'].includes(d) && !d.startsWith('CERT') && d !== 'FORCESSL' && d !== 'POLLFAIL_LOG_THROTTLE_MAX';
              case 'upssched.conf':
                return d === 'CMDSCRIPT' ? cfg.monitor?.timers?.command === l.args[1] : d === 'AT' && (cfg.monitor?.timers?.rules.length ?? 0) > 0;
              case 'nut.conf':
                return (d === 'MODE' && v?.toLowerCase() === r.mode) || (d === 'ALLOW_NOT_ALL_LISTENERS' && cfg.server?.allowNotAllListeners !== undefined);
            }
            return false;
          })();
          assert.ok(carried || fileSkipped || noted(path, l.line) || (sectionGone && section !== ''), `${set}/${file}:${l.line} (${l.args.join(' ')}) is neither in the configuration nor in a comment`);
        }
      }
    }
  });
});

describe('upsagent import-nut (command)', () => {
  test('YAML on stdout, a summary on stderr, exit 0', async () => {
    const io = new MemoryIO();
    assert.equal(await runImportNut({ dir: join(FIXTURES, 'netserver') }, io), 0);
    assert.deepEqual(Object.keys(YAML.parse(io.stdout) as object), ['ups', 'server', 'users', 'monitor']);
    assert.match(io.stderr, /imported .*netserver \(MODE=netserver\): 3 UPS \(rack-a, rack-b, pdu.1\), 4 user\(s\), a monitor/);
  });

  test('-o writes a private file (it holds passwords) and will not overwrite without --force', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'upsagent-import-o-'));
    try {
      const out = join(dir, 'upsagent.yaml');
      const io = new MemoryIO();
      assert.equal(await runImportNut({ dir: join(FIXTURES, 'standalone'), output: out }, io), 0, io.stderr);
      assert.equal(io.stdout, '');
      assert.equal(statSync(out).mode & 0o777, 0o600);
      assert.match(readFileSync(out, 'utf8'), /^# upsagent configuration imported from/);
      const again = new MemoryIO();
      assert.equal(await runImportNut({ dir: join(FIXTURES, 'standalone'), output: out }, again), 1);
      assert.match(again.stderr, /exists; not overwritten \(add --force/);
      assert.equal(await runImportNut({ dir: join(FIXTURES, 'standalone'), output: out, force: true }, new MemoryIO()), 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('exit 2 with file:line for syntax errors, 1 for MODE=none or a missing folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'upsagent-import-bad-'));
    try {
      cpSync(join(FIXTURES, 'netserver'), dir, { recursive: true });
      writeFileSync(join(dir, 'upsd.users'), '[x]\n password = "a#b"\n');
      const io = new MemoryIO();
      assert.equal(await runImportNut({ dir }, io), 2);
      assert.match(io.stderr, /upsd.users:2: a "#" inside quotes/);
      assert.equal(io.stdout, '');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const none = new MemoryIO();
    assert.equal(await runImportNut({ dir: join(FIXTURES, 'mode-none') }, none), 1);
    assert.match(none.stderr, /MODE=none/);
    const missing = new MemoryIO();
    assert.equal(await runImportNut({ dir: '/nonexistent/nut' }, missing), 1);
    assert.match(missing.stderr, /not a folder/);
  });
});

describe("NUT's driver names in ups:", () => {
  async function problems(entry: Record<string, unknown>): Promise<string[]> {
    try {
      validateConfig({ ups: { u: entry } });
      return [];
    } catch (err) {
      assert.ok(err instanceof ConfigError, String(err));
      return err.issues.map((i) => `${i.path}: ${i.message}`);
    }
  }

  test('usbhid-ups, nutdrv_qx, blazer_ser, blazer_usb, dummy-ups, apcsmart, genericups are accepted with their options', async () => {
    assert.deepEqual(await problems({ driver: 'usbhid-ups', port: 'auto', vendorid: '051d', pollonly: true }), []);
    assert.deepEqual(await problems({ driver: 'nutdrv_qx', port: '/dev/ttyUSB0', protocol: 'voltronic' }), []);
    assert.deepEqual(await problems({ driver: 'blazer_ser', port: '/dev/ttyS0', protocol: 'mustek' }), []);
    assert.deepEqual(await problems({ driver: 'blazer_usb', port: 'auto', subdriver: 'krauler', vendorid: '0001', productid: '0000' }), []);
    assert.deepEqual(await problems({ driver: 'dummy-ups', port: '/tmp/x.dev', mode: 'once' }), []);
    assert.deepEqual(await problems({ driver: 'apcsmart', port: '/dev/ttyS0' }), []);
    assert.deepEqual(await problems({ driver: 'genericups', port: '/dev/ttyS0', upstype: 4 }), []);
  });

  test("the aliases keep their driver's checks", async () => {
    assert.deepEqual(await problems({ driver: 'usbhid-ups', port: 'auto', pollonly: true, interruptonly: true }), ['ups.u.interruptonly: pollonly and interruptonly exclude each other; set one']);
    assert.match((await problems({ driver: 'nutdrv_qx', port: 'ttyS0' }))[0]!, /neither a serial device path/);
  });

  test("blazer_ser/blazer_usb take blazer's four protocols only; blazer_ser is serial", async () => {
    assert.deepEqual(await problems({ driver: 'blazer_ser', port: '/dev/ttyS0', protocol: 'voltronic' }), ['ups.u.protocol: "voltronic" is not a protocol of blazer_ser (megatec, mustek, megatec/old, zinto); use driver: nutdrv_qx for the others']);
    assert.match((await problems({ driver: 'blazer_ser', port: 'auto' }))[0]!, /blazer_ser talks to a serial port/);
    // blazer_usb is USB whatever port says, as NUT's USB drivers ignore it.
    assert.deepEqual(await problems({ driver: 'blazer_usb', port: '/dev/whatever' }), []);
  });

  test("snmp-ups is the snmp driver under NUT's name, with its checks", async () => {
    assert.deepEqual(await problems({ driver: 'snmp-ups', port: '10.0.0.9', community: 'public', snmp_version: 'v2c' }), []);
    assert.deepEqual(await problems({ driver: 'snmp-ups', port: '10.0.0.9', snmp_version: 'v3', secLevel: 'authPriv', secName: 'nut', authPassword: 'long-enough-1' }), ['ups.u.privPassword: secLevel authPriv needs privPassword']);
    assert.match((await problems({ driver: 'snmp-ups', port: '10.0.0.9', mibs: 'nosuch' }))[0]!, /"nosuch" is not auto or a mapping of this driver/);
  });

  test('run creates the aliased drivers (dummy-ups reads its .dev file like dummy)', async () => {
    const bus = new EventBus(new MemoryLogger());
    const store = new UpsStore(bus);
    const dev = join(FIXTURES, 'standalone/nas.dev');
    const m = await createDriver({ driver: 'dummy-ups', port: dev }, { ups: 'u', bus, publisher: store.addUps('u'), log: new MemoryLogger() });
    await m.start();
    try {
      store.flush();
      assert.equal(store.get('u')?.getVar('device.model')?.value, 'Back-UPS 700');
    } finally {
      await m.stop();
    }
    const snmp = await createDriver({ driver: 'snmp-ups', port: '192.0.2.1' }, { ups: 'n', bus, publisher: store.addUps('n'), log: new MemoryLogger() });
    assert.equal(snmp.name, 'driver:n');
  });
});
