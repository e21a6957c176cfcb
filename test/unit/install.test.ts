/**
 * `upsagent install` / `uninstall`: the --dry-run output (every file with
 * its content, every command), an install into a throwaway root checked
 * file by file, uninstall taking away exactly what install made (the
 * configuration kept unless --purge), and the unit passing systemd-analyze.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { validateConfig } from '../../src/app/config';
import { runInstall, runUninstall } from '../../src/cli/commands/install';
import type { CliIO } from '../../src/cli/io';
import { DEFAULT_LAYOUT } from '../../src/install/layout';
import { planInstall, type Step } from '../../src/install/plan';
import { QX_USB_PAIRS, USBHID_VENDOR_IDS } from '../../src/install/udev';
import { DEVICE_CLASSES } from '../../src/install/unit';

function memIO() {
  const io = { stdout: '', stderr: '' };
  const cli: CliIO = {
    out: (t) => void (io.stdout += t),
    err: (t) => void (io.stderr += t),
    prompt: () => Promise.reject(new Error('no prompt in tests')),
  };
  return { io, cli };
}

/** A folder holding just enough of a system for useradd --root and systemctl --root. */
function makeRoot(): string {
  const root = fs.mkdtempSync(join(tmpdir(), 'upsagent-root-'));
  fs.mkdirSync(join(root, 'etc'));
  // Account databases with the base system's entries, and login.defs so userdel also drops the user's group.
  for (const f of ['passwd', 'group', 'shadow', 'gshadow', 'login.defs']) fs.copyFileSync(`/etc/${f}`, join(root, 'etc', f));
  return root;
}

/** Every path under root with its type, mode, owner and content (files) or target (links). */
function snapshot(root: string, skip: (rel: string) => boolean = () => false): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    const abs = join(root, rel);
    const st = fs.lstatSync(abs);
    if (rel && !skip(rel)) {
      const what = st.isSymbolicLink() ? `link ${fs.readlinkSync(abs)}` : st.isDirectory() ? 'dir' : `file ${fs.readFileSync(abs, 'utf8')}`;
      out.set(rel, `${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid} ${what}`);
    }
    if (st.isDirectory() && !st.isSymbolicLink()) for (const e of fs.readdirSync(abs)) walk(join(rel, e));
  };
  walk('');
  return out;
}

/** useradd and userdel leave backups and a lock beside the databases; the databases themselves are compared. */
const accountNoise = (rel: string) => /^etc\/(\.pwd\.lock|(passwd|group|shadow|gshadow)-)$/.test(rel);

/** Runs fn on a fresh throwaway root, removed afterwards whatever happens. */
async function withRoot(fn: (root: string) => Promise<void>): Promise<void> {
  const r = makeRoot();
  try {
    await fn(r);
  } finally {
    fs.rmSync(r, { recursive: true, force: true });
  }
}

function fakeBinary(dir: string): string {
  const bin = join(dir, 'upsagent-built');
  fs.writeFileSync(bin, '#!/bin/sh\necho upsagent\n', { mode: 0o755 });
  return bin;
}

function passwdEntry(root: string, name: string): string[] | undefined {
  return fs.readFileSync(join(root, 'etc/passwd'), 'utf8').split('\n').map((l) => l.split(':')).find((f) => f[0] === name);
}

void describe('upsagent install --dry-run', () => {
  let root: string;
  let bin: string;
  before(() => {
    root = makeRoot();
    bin = fakeBinary(root);
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  void test('prints every file with its whole content and every command, and changes nothing', async () => {
    const before = snapshot(root);
    const { io, cli } = memIO();
    assert.equal(await runInstall({ dryRun: true, root, binary: bin }, cli), 0, io.stderr);
    assert.deepEqual(snapshot(root), before, 'nothing written');
    const out = io.stdout;
    assert.match(out, new RegExp(`^upsagent install into ${root} would do this \\(nothing is changed: --dry-run\\):`));
    // Commands as they would run.
    assert.ok(out.includes(`$ useradd --root ${root} --system --user-group --home-dir /var/lib/upsagent --no-create-home --shell /usr/sbin/nologin --comment 'upsagent UPS agent' upsagent`), out);
    assert.ok(out.includes(`$ install -m 0755 ${bin} /usr/local/bin/upsagent`));
    assert.ok(out.includes('$ install -d -m 0750 -o upsagent -g upsagent /var/lib/upsagent'));
    assert.ok(out.includes(`$ systemctl --root=${root} enable upsagent.service`));
    assert.doesNotMatch(out, /udevadm|daemon-reload/, 'nothing live is touched in a --root install');

    // Each file between its markers, whole.
    const file = (path: string): string => {
      const m = new RegExp(`^--- ${path} \\(mode (\\d+), (\\S+)\\): [^\\n]*\\n([\\s\\S]*?)^--- end of ${path}$`, 'm').exec(out);
      assert.ok(m, `${path} is not printed:\n${out}`);
      return `${m[1]} ${m[2]}\n${m[3]}`;
    };
    const config = file('/etc/upsagent/upsagent.yaml');
    assert.match(config, /^0640 root:upsagent\n/);
    // The configuration it writes is one `config check` accepts, and it runs as the role account.
    const cfg = validateConfig(parseYaml(config.slice(config.indexOf('\n') + 1)));
    assert.equal(cfg.run?.user, 'upsagent');
    assert.equal(cfg.monitor?.powerDownFlag, '/etc/upsagent/killpower');
    assert.deepEqual(cfg.server?.listen, ['127.0.0.1:3493', '[::1]:3493'], 'loopback only, as everywhere by default');

    const unit = file('/etc/systemd/system/upsagent.service');
    assert.match(unit, /^0644 root:root\n/);
    assert.match(unit, /^ExecStart=\/usr\/local\/bin\/upsagent run --config \/etc\/upsagent\/upsagent.yaml --pid-file \/run\/upsagent\/upsagent.pid$/m);
    assert.match(unit, /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
    assert.match(unit, /^RuntimeDirectory=upsagent$/m);
    for (const line of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'PrivateTmp=yes', 'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK', 'CapabilityBoundingSet=CAP_SETUID CAP_SETGID CAP_NET_BIND_SERVICE CAP_SYS_BOOT', 'DevicePolicy=closed', 'ReadWritePaths=/var/lib/upsagent /etc/upsagent']) {
      assert.ok(unit.split('\n').includes(line), `unit lacks ${line}:\n${unit}`);
    }
    for (const c of DEVICE_CLASSES) assert.ok(unit.includes(`DeviceAllow=char-${c} rw\n`), c);
    assert.doesNotMatch(unit, /^User=/m, 'the agent drops to the account itself, after opening its ports and devices');

    const rules = file('/etc/udev/rules.d/62-upsagent.rules');
    assert.match(rules, /^0644 root:root\n/);
    assert.ok(rules.includes('SUBSYSTEM=="hidraw", ATTRS{idVendor}=="051d", MODE="0660", GROUP="upsagent"'), 'APC, from the usbhid apc subdriver');
    assert.ok(rules.includes('SUBSYSTEM=="usb", ENV{DEVTYPE}=="usb_device", ATTR{idVendor}=="0665", ATTR{idProduct}=="5161", MODE="0660", GROUP="upsagent"'), 'the Voltronic cypress bridge, from the qx table');
    for (const v of USBHID_VENDOR_IDS) assert.ok(rules.includes(`ATTRS{idVendor}=="${v.toString(16).padStart(4, '0')}"`), v.toString(16));
    assert.equal(rules.split('\n').filter((l) => l.startsWith('SUBSYSTEM=="usb"')).length, QX_USB_PAIRS.length);
  });

  void test('on this system (no --root) it plans useradd without --root, and says when systemd is not running', () => {
    const steps = planInstall({ layout: DEFAULT_LAYOUT, binary: '/x/upsagent' }, { root: '/', exists: () => false, accountExists: () => false, systemdRunning: false });
    const commands = steps.filter((s): s is Extract<Step, { kind: 'command' }> => s.kind === 'command').map((s) => s.argv.join(' '));
    assert.equal(commands[0], "useradd --system --user-group --home-dir /var/lib/upsagent --no-create-home --shell /usr/sbin/nologin --comment upsagent UPS agent upsagent");
    assert.ok(commands.includes('udevadm control --reload-rules'));
    assert.ok(!commands.some((c) => c.startsWith('systemctl')));
    assert.ok(steps.some((s) => s.kind === 'note' && s.text.startsWith('systemd is not running here')));
    const live = planInstall({ layout: DEFAULT_LAYOUT, binary: '/x/upsagent' }, { root: '/', exists: () => false, accountExists: () => true, systemdRunning: true });
    const liveCommands = live.filter((s): s is Extract<Step, { kind: 'command' }> => s.kind === 'command').map((s) => s.argv.join(' '));
    assert.deepEqual(liveCommands.slice(-2), ['systemctl daemon-reload', 'systemctl enable --now upsagent.service']);
    assert.ok(!liveCommands.some((c) => c.startsWith('useradd')), 'an existing account is kept');
  });

  void test('uninstall without an install says so and changes nothing', async () => {
    const { io, cli } = memIO();
    assert.equal(await runUninstall({ dryRun: false, root }, cli), 2);
    assert.match(io.stderr, /nothing to uninstall: \/var\/lib\/upsagent\/install-manifest.json is missing/);
  });
});

void describe('upsagent install into a throwaway root, and uninstall', () => {
  let root: string;
  let bin: string;
  before(() => {
    root = makeRoot();
    bin = fakeBinary(fs.mkdtempSync(join(tmpdir(), 'upsagent-bin-')));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  void test('install writes each file with its mode and owner, creates the account, enables the unit; uninstall takes exactly that away', async () => {
    const pristine = snapshot(root, accountNoise);
    const { io, cli } = memIO();
    assert.equal(await runInstall({ dryRun: false, root, binary: bin }, cli), 0, io.stderr + io.stdout);

    const account = passwdEntry(root, 'upsagent');
    assert.ok(account, 'the role account is in the root\'s passwd');
    assert.equal(passwdEntry(root, 'upsagent')?.[6], '/usr/sbin/nologin');
    assert.equal(passwdEntry('/', 'upsagent'), undefined, 'not on this system');
    const uid = Number(account[2]);
    const gid = Number(account[3]);

    const now = snapshot(root, accountNoise);
    const added = [...now.keys()].filter((k) => !pristine.has(k)).sort();
    assert.deepEqual(added, [
      'etc/systemd',
      'etc/systemd/system',
      'etc/systemd/system/multi-user.target.wants',
      'etc/systemd/system/multi-user.target.wants/upsagent.service',
      'etc/systemd/system/upsagent.service',
      'etc/udev',
      'etc/udev/rules.d',
      'etc/udev/rules.d/62-upsagent.rules',
      'etc/upsagent',
      'etc/upsagent/upsagent.yaml',
      'usr',
      'usr/local',
      'usr/local/bin',
      'usr/local/bin/upsagent',
      'var',
      'var/lib',
      'var/lib/upsagent',
      'var/lib/upsagent/install-manifest.json',
    ]);
    const meta = (rel: string) => now.get(rel)!.split(' ').slice(0, 2).join(' ');
    assert.equal(now.get('usr/local/bin/upsagent'), `755 0:0 file ${fs.readFileSync(bin, 'utf8')}`);
    assert.equal(meta('etc/upsagent/upsagent.yaml'), `640 0:${gid}`);
    assert.equal(meta('var/lib/upsagent'), `750 ${uid}:${gid}`);
    assert.equal(meta('etc/upsagent'), '755 0:0');
    assert.equal(meta('etc/systemd/system/upsagent.service'), '644 0:0');
    assert.equal(meta('etc/udev/rules.d/62-upsagent.rules'), '644 0:0');
    assert.equal(now.get('etc/systemd/system/multi-user.target.wants/upsagent.service'), `777 0:0 link /etc/systemd/system/upsagent.service`);
    // What the dry run prints is what was written.
    const { io: dry, cli: dryCli } = memIO();
    fs.renameSync(join(root, 'var/lib/upsagent/install-manifest.json'), join(root, 'manifest.keep'));
    fs.renameSync(join(root, 'etc/upsagent/upsagent.yaml'), join(root, 'config.keep'));
    for (const f of ['etc/systemd/system/upsagent.service', 'etc/udev/rules.d/62-upsagent.rules']) fs.renameSync(join(root, f), join(root, `${f}.keep`));
    assert.equal(await runInstall({ dryRun: true, root, binary: bin, force: true }, dryCli), 0, dry.stderr);
    for (const [f, keep] of [['etc/systemd/system/upsagent.service', 'etc/systemd/system/upsagent.service.keep'], ['etc/udev/rules.d/62-upsagent.rules', 'etc/udev/rules.d/62-upsagent.rules.keep'], ['etc/upsagent/upsagent.yaml', 'config.keep']] as const) {
      assert.ok(dry.stdout.includes(`\n${fs.readFileSync(join(root, keep), 'utf8')}--- end of /${f}`), `dry run shows ${f} as written`);
      fs.renameSync(join(root, keep), join(root, f));
    }
    fs.renameSync(join(root, 'manifest.keep'), join(root, 'var/lib/upsagent/install-manifest.json'));
    assert.deepEqual(snapshot(root, accountNoise), now);

    // Again: nothing breaks, the configuration (edited meanwhile) is kept as it is.
    fs.appendFileSync(join(root, 'etc/upsagent/upsagent.yaml'), '# edited by hand\n');
    const { io: again, cli: againCli } = memIO();
    assert.equal(await runInstall({ dryRun: false, root, binary: bin }, againCli), 0, again.stderr);
    assert.match(again.stdout, /\/etc\/upsagent\/upsagent.yaml exists already: kept as it is/);
    assert.match(again.stdout, /the account upsagent exists already/);
    assert.ok(fs.readFileSync(join(root, 'etc/upsagent/upsagent.yaml'), 'utf8').endsWith('# edited by hand\n'));

    // The monitor's history appears while it runs.
    fs.writeFileSync(join(root, 'var/lib/upsagent/monitor.json'), '[]');
    fs.chownSync(join(root, 'var/lib/upsagent/monitor.json'), uid, gid);

    const { io: un, cli: unCli } = memIO();
    assert.equal(await runUninstall({ dryRun: false, root }, unCli), 0, un.stderr + un.stdout);
    const left = snapshot(root, accountNoise);
    const expected = new Map(pristine);
    // Kept: the configuration (its group no longer names a removed account) and the history (now root's).
    expected.set('etc/upsagent', '755 0:0 dir');
    expected.set('etc/upsagent/upsagent.yaml', `640 0:0 file ${fs.readFileSync(join(root, 'etc/upsagent/upsagent.yaml'), 'utf8')}`);
    for (const d of ['var', 'var/lib']) expected.set(d, left.get(d)!);
    expected.set('var/lib/upsagent', '750 0:0 dir');
    expected.set('var/lib/upsagent/monitor.json', '644 0:0 file []');
    assert.deepEqual(left, expected);
    assert.equal(passwdEntry(root, 'upsagent'), undefined, 'the account is gone');
    assert.ok(!fs.readFileSync(join(root, 'etc/group'), 'utf8').split('\n').some((l) => l.startsWith('upsagent:')), 'and its group');
  });

  void test('--purge also takes the configuration, the flag and the history: the root is as before', async () => {
    await withRoot(async (r) => {
      const pristine = snapshot(r, accountNoise);
      const { io, cli } = memIO();
      assert.equal(await runInstall({ dryRun: false, root: r, binary: bin }, cli), 0, io.stderr);
      fs.writeFileSync(join(r, 'etc/upsagent/killpower'), 'upsmon-shutdown-file');
      fs.writeFileSync(join(r, 'var/lib/upsagent/monitor.json'), '[]');
      assert.equal(await runUninstall({ dryRun: false, root: r, purge: true }, cli), 0, io.stderr);
      assert.deepEqual(snapshot(r, accountNoise), pristine);
    });
  });

  void test('a unit or executable it did not write is not replaced without --force', async () => {
    await withRoot(async (r) => {
      fs.mkdirSync(join(r, 'usr/local/bin'), { recursive: true });
      fs.writeFileSync(join(r, 'usr/local/bin/upsagent'), 'someone else\'s');
      const before = snapshot(r);
      const { io, cli } = memIO();
      assert.equal(await runInstall({ dryRun: false, root: r, binary: bin }, cli), 2);
      assert.match(io.stderr, /\/usr\/local\/bin\/upsagent is there already and was not written by upsagent install/);
      assert.deepEqual(snapshot(r), before, 'nothing changed');
    });
  });

  void test('an existing configuration: its serial port gets a udev rule and DeviceAllow, its flag folder is writable', async () => {
    await withRoot(async (r) => {
      fs.mkdirSync(join(r, 'etc/upsagent'), { recursive: true });
      fs.writeFileSync(
        join(r, 'etc/upsagent/upsagent.yaml'),
        'ups:\n  serups:\n    driver: qx\n    port: /dev/ttyUSB0\nmonitor:\n  ups: [{ name: serups }]\n  powerDownFlag: /etc/killpower\n',
      );
      const { io, cli } = memIO();
      assert.equal(await runInstall({ dryRun: true, root: r, binary: bin }, cli), 0, io.stderr);
      assert.ok(io.stdout.includes('SUBSYSTEM=="tty", KERNEL=="ttyUSB0", MODE="0660", GROUP="upsagent"'), io.stdout);
      assert.ok(io.stdout.includes('DeviceAllow=/dev/ttyUSB0 rw\n'));
      assert.ok(io.stdout.includes('ReadWritePaths=/var/lib/upsagent /etc\n'), 'the folder of the configured flag');
      assert.match(io.stdout, /upsagent.yaml exists already: kept as it is/);
      // A broken one stops the install before anything happens.
      fs.writeFileSync(join(r, 'etc/upsagent/upsagent.yaml'), 'ups:\n  x:\n    driver: nosuch\n');
      const bad = memIO();
      assert.equal(await runInstall({ dryRun: true, root: r, binary: bin }, bad.cli), 2);
      assert.match(bad.io.stderr, /fix the configuration first/);
    });
  });
});

void describe('the unit under systemd-analyze verify', () => {
  const unitText = (binary: string): string => {
    const steps = planInstall({ layout: { ...DEFAULT_LAYOUT, binary }, binary }, { root: '/tmp/x', exists: () => false, accountExists: () => true, systemdRunning: false });
    const unit = steps.find((s): s is Extract<Step, { kind: 'file' }> => s.kind === 'file' && s.path === DEFAULT_LAYOUT.unit);
    return unit!.content;
  };
  const verify = (dir: string, text: string) => {
    const file = join(dir, 'upsagent.service');
    fs.writeFileSync(file, text);
    return spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
  };

  void test('passes with no warning, the binary path existing; a broken line would be reported', () => {
    const dir = fs.mkdtempSync(join(tmpdir(), 'upsagent-unit-'));
    try {
      const bin = fakeBinary(dir);
      const text = unitText(bin);
      const r = verify(dir, text);
      assert.equal(r.error, undefined, 'systemd-analyze runs (test/run.sh installs systemd)');
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '', 'no warnings');
      // The same check sees a mistake: it is not a check that always passes.
      const broken = verify(dir, text.replace('ProtectSystem=strict', 'ProtectSystem=strictest'));
      assert.match(broken.stderr, /Failed to parse .*strictest/);
      const missing = verify(dir, unitText(join(dir, 'not-there')));
      assert.match(missing.stderr, /not-there/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
