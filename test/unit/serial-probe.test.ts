/**
 * `upsagent scan` probing serial ports: the Megatec/Q1 simulator and the
 * APC Smart simulator on pty pairs are found with the right driver and
 * protocol, and their logs show that only read-only queries reached them;
 * a silent port, a port answering garbage, a missing port are skipped with
 * a note, within the budget; the printed YAML validates.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/app/config';
import { MemoryIO } from '../../src/cli/io';
import { runScan } from '../../src/cli/commands/scan';
import { APC_PROBE_BYTES } from '../../src/drivers/apcsmart/probe';
import { READ_ONLY_CLAIMS, IDENTITY_QUERIES } from '../../src/drivers/qx/probe';
import { QX_PROTOCOLS } from '../../src/drivers/qx/protocols/index';
import { ReplyBuffer, openSerialPort, type SerialLink } from '../../src/drivers/serial/link';
import { DeviceGoneError } from '../../src/drivers/runtime/errors';
import { probeSerialPort, serialProber, type ProbeSerialPort, type SerialProbeOptions, type SerialProbeResult } from '../../src/drivers/serial/probe';
import type { ListedHidDevice } from '../../src/drivers/usbhid/matcher';
import type { ListedSerialPort } from '../../src/drivers/usbhid/scan';
import { ApcSimulator, attachToPty, simLink } from '../helpers/apc-simulator';
import { startPtyPair, type PtyPair } from '../helpers/pty-pair';
import { ONLINE, Q1Simulator } from '../helpers/q1-simulator';
import { qxFixture } from '../helpers/qx-kit';
import { VOLTRONIC_ONLINE, VoltronicSimulator } from '../helpers/voltronic-simulator';


/** Every command the qx probe may send: the claims' and the identity queries. */
const QX_READ_ONLY = new Set([...Object.values(READ_ONLY_CLAIMS).flat(), ...IDENTITY_QUERIES]);

/** Fast deadlines for ptys (a pty answers in microseconds). */
const FAST: SerialProbeOptions = { timeoutMs: 400, flushMs: 100, settleMs: 0 };

async function scanPorts(ports: ListedSerialPort[], probe: ProbeSerialPort, hid: ListedHidDevice[] = []) {
  const io = new MemoryIO();
  const code = await runScan(io, { hid: async () => hid, serial: async () => ports, probeSerial: probe });
  return { code, out: io.stdout, err: io.stderr };
}

async function configFrom(yaml: string) {
  return parseConfig(`${yaml}\nlog:\n  level: info\n`, 'scan.yaml');
}

void describe('serial scan: the Megatec/Q1 simulator on a pty', () => {
  let pty: PtyPair;
  let sim: Q1Simulator;
  before(async () => {
    pty = await startPtyPair();
    sim = new Q1Simulator(pty.peer);
    await sim.start();
  });
  after(async () => {
    await sim.stop();
    await pty.stop();
  });

  test('found as qx protocol megatec with its vendor reply; only read-only queries reached it; the YAML validates', async () => {
    const r = await scanPorts([{ path: pty.device }], serialProber(FAST));
    assert.equal(r.code, 0);
    assert.equal(r.err, '');
    // APC's two Y first (a Megatec unit waits for \r: they become one unknown line), ended by the lone \r;
    // then the claims in NUT's order, each command once: voltronic, voltronic-qs(-hex), mustek, megatec/old, bestups, mecer, megatec.
    assert.deepEqual(sim.received, ['YY\r', 'QGS\r', 'M\r', 'QS\r', 'D\r', 'Q1\r', 'ID\r', 'QPI\r', 'I\r']);
    for (const c of sim.received.slice(1)) assert.ok(QX_READ_ONLY.has(c), `${JSON.stringify(c)} is not a read-only query`);
    // Nothing changed on the unit: beeper, test, shutdown as they were.
    assert.deepEqual(sim.state, ONLINE);
    assert.equal(
      r.out,
      [
        '# No UPS found on USB.',
        '# 1 UPS found on serial ports by upsagent scan; paste into the configuration file.',
        'ups:',
        `  # ${pty.device}: answers as qx protocol megatec (Megatec 0.10): UPSAGENT SIM Q1-1000 firmware V2.01`,
        '  q1-1000:',
        '    driver: qx',
        `    port: ${JSON.stringify(pty.device)}`,
        '    protocol: "megatec"',
        '    desc: "UPSAGENT SIM Q1-1000"',
        '',
      ].join('\n'),
    );
    const cfg = await configFrom(r.out);
    const u = cfg.ups['q1-1000']!;
    assert.equal(u.driver, 'qx');
    assert.equal(u.port, pty.device);
    assert.equal((u as { protocol?: string }).protocol, 'megatec');
  });

  test('a unit without the vendor query is q1 (the fallback), still with read-only queries only', async () => {
    sim.received.length = 0;
    sim.vendor = null;
    try {
      const res = await probeSerialPort(pty.device, FAST);
      assert.equal(res.ups?.driver, 'qx');
      assert.equal(res.ups?.protocol, 'q1');
      assert.deepEqual(sim.received, ['YY\r', 'QGS\r', 'M\r', 'QS\r', 'D\r', 'Q1\r', 'ID\r', 'QPI\r', 'I\r', 'FW?\r', 'Q2\r', 'Q6\r']);
      assert.ok(sim.received.slice(1).every((c) => QX_READ_ONLY.has(c)));
      assert.equal(res.sent, 'YY\r' + sim.received.slice(1).join(''));
      assert.deepEqual(sim.state, ONLINE);
    } finally {
      sim.vendor = { company: 'UPSAGENT SIM', model: 'Q1-1000', version: 'V2.01' };
    }
  });

  test('garbage answers: a unit whose Q1 and I replies are junk is skipped with a note, nothing but the read-only queries sent', async () => {
    sim.received.length = 0;
    sim.override.set('Q1', '(junk junk junk\r');
    sim.override.set('I', '#?\r');
    sim.override.set('Q2', '\x00\xff\r');
    try {
      const r = await scanPorts([{ path: pty.device }], serialProber(FAST));
      assert.equal(r.code, 0);
      assert.match(r.err, new RegExp(`^upsagent scan: ${pty.device.replace(/[/.]/g, '\\$&')}: answers, but as no qx protocol`));
      assert.match(r.out, /^# 1 serial port\(s\) where no qx \(Megatec\/Q1\) or APC Smart UPS answered/m);
      assert.doesNotMatch(r.out, /^ups:/m);
      assert.ok(sim.received.slice(1).every((c) => QX_READ_ONLY.has(c)), JSON.stringify(sim.received));
      assert.deepEqual(sim.state, ONLINE);
    } finally {
      sim.override.clear();
    }
  });
});

void describe('serial scan: the Voltronic simulator and the Megatec dialects on ptys', () => {
  test('a Voltronic unit: voltronic, named from QMD, only Q queries (and I) sent, its state unchanged', async () => {
    const pty = await startPtyPair();
    const sim = new VoltronicSimulator(pty.peer);
    await sim.start();
    try {
      const r = await scanPorts([{ path: pty.device }], serialProber(FAST));
      assert.equal(r.err, '');
      // Y Y ended by \r is one unknown line ((NAK); then voltronic's claim, then its identity queries.
      assert.deepEqual(sim.received, ['YY\r', 'QGS\r', 'QPI\r', 'QMD\r', 'QMF\r', 'QVFW\r', 'QID\r', 'I\r']);
      assert.ok(sim.received.slice(1).every((c) => QX_READ_ONLY.has(c)));
      assert.deepEqual(sim.actions(), ['YY\r']);
      assert.deepEqual(sim.state, VOLTRONIC_ONLINE);
      const cfg = await configFrom(r.out);
      const [name, u] = Object.entries(cfg.ups)[0]!;
      assert.equal(name, 'olhvt1k0');
      assert.equal(u.driver, 'qx');
      assert.equal((u as { protocol?: string }).protocol, 'voltronic');
      assert.match(r.out, /^ {4}desc: "VOLTRONIC OLHVT1K0"$/m);
    } finally {
      await sim.stop();
      await pty.stop();
    }
  });

  for (const [statusCommand, protocol, expected] of [
    ['D', 'megatec/old', ['YY\r', 'QGS\r', 'M\r', 'QS\r', 'D\r', 'I\r']],
    ['QS', 'mustek', ['YY\r', 'QGS\r', 'M\r', 'QS\r', 'I\r']],
  ] as const) {
    test(`a Megatec unit answering ${statusCommand}: ${protocol}, then its vendor query I`, async () => {
      const pty = await startPtyPair();
      const sim = new Q1Simulator(pty.peer, { statusCommand });
      await sim.start();
      try {
        const res = await probeSerialPort(pty.device, FAST);
        assert.equal(res.ups?.protocol, protocol, res.note);
        assert.deepEqual(sim.received, expected);
        assert.deepEqual(sim.state, ONLINE);
      } finally {
        await sim.stop();
        await pty.stop();
      }
    });
  }
});

void describe('serial scan: the APC Smart simulator on a pty', () => {
  let pty: PtyPair;
  let sim: ApcSimulator;
  let link: SerialLink;
  before(async () => {
    pty = await startPtyPair();
    sim = new ApcSimulator();
    link = await attachToPty(sim, pty.peer);
  });
  after(async () => {
    await link.close();
    await pty.stop();
  });

  test('found as apcsmart (no cable: the lines as opened work); it got Y and three variable reads, no command, no Q1 byte', async () => {
    const r = await scanPorts([{ path: pty.device, manufacturer: 'Prolific', vendorId: '067b', productId: '2303' }], serialProber(FAST));
    assert.equal(r.code, 0);
    assert.equal(r.err, '');
    assert.equal(sim.wire(), 'Y\x01nb');
    for (const b of sim.wire()) assert.ok(APC_PROBE_BYTES.includes(b));
    assert.deepEqual(sim.executed, []);
    assert.equal(
      r.out,
      [
        '# No UPS found on USB.',
        '# 1 UPS found on serial ports by upsagent scan; paste into the configuration file.',
        'ups:',
        `  # ${pty.device} (Prolific, USB 067b:2303): answers APC's Y with SM: SMART-UPS 1000, firmware 652.12.I, serial AS0521123456`,
        '  smart-ups-1000:',
        '    driver: apcsmart',
        `    port: ${JSON.stringify(pty.device)}`,
        '    desc: "APC SMART-UPS 1000"',
        '',
      ].join('\n'),
    );
    const cfg = await configFrom(r.out);
    assert.equal(cfg.ups['smart-ups-1000']!.driver, 'apcsmart');
    assert.equal(cfg.ups['smart-ups-1000']!.port, pty.device);
  });

  test('a line that echoes every byte (YSM): still apcsmart, the values read without the echo', async () => {
    const before = sim.received.length;
    sim.echo = true;
    try {
      const res = await probeSerialPort(pty.device, FAST);
      assert.equal(res.ups?.driver, 'apcsmart', res.note);
      assert.equal(res.ups?.model, 'SMART-UPS 1000');
      assert.equal(res.ups?.firmware, '652.12.I');
      assert.match(res.note, /^answers APC's Y with SM \(the line echoes every byte\): /);
      assert.equal(sim.since(before), 'Y\x01nb');
      assert.deepEqual(sim.executed, []);
    } finally {
      sim.echo = false;
    }
  });

  test('an old unit without ^A and b: V read for the firmware, the entry still made', async () => {
    const before = sim.received.length;
    sim.values = { ...sim.values };
    delete sim.values['\x01'];
    delete sim.values.b;
    const res = await probeSerialPort(pty.device, FAST);
    assert.equal(res.ups?.driver, 'apcsmart');
    assert.equal(res.ups?.model, undefined);
    assert.equal(sim.since(before), 'Y\x01nbV');
    assert.deepEqual(sim.executed, []);
  });
});

void describe('serial scan: ports with nothing usable', () => {
  test('a pty with nothing answering: skipped with a note, within the 10 s budget at the default 1 s deadlines', async () => {
    const pty = await startPtyPair();
    // The peer is read, so every byte sent is seen, and nothing is answered.
    const peer = await openSerialPort(pty.peer, { baudRate: 2400 });
    let got = '';
    peer.onUnsolicited((d) => (got += d.toString('latin1')));
    try {
      const t0 = Date.now();
      const r = await scanPorts([{ path: pty.device }], serialProber());
      const ms = Date.now() - t0;
      assert.ok(ms < 10_000, `${ms} ms`);
      assert.equal(r.code, 0);
      assert.match(r.err, /: nothing answered APC's Y, nothing answered the qx status queries \(QGS, M, QS, D, Q1\)\n$/);
      assert.match(r.out, /^# 1 serial port\(s\) where no qx/m);
      // Y twice, the line end, then the status queries up to Q1, where the probe gives up.
      assert.equal(got, 'YY\rQGS\rM\rQS\rD\rQ1\r');
    } finally {
      await peer.close();
      await pty.stop();
    }
  });

  test('a small budget is kept: the port is closed and skipped when it runs out', async () => {
    const pty = await startPtyPair();
    try {
      const t0 = Date.now();
      const res = await probeSerialPort(pty.device, { budgetMs: 1500 });
      assert.ok(Date.now() - t0 < 2600, `${Date.now() - t0} ms`);
      assert.equal(res.ups, null);
      assert.equal(res.note, 'no UPS answered within 1500 ms');
      // Closed: the port opens again at once.
      const again = await openSerialPort(pty.device, { baudRate: 2400 });
      await again.close();
    } finally {
      await pty.stop();
    }
  });

  test('garbage to Y (a port that echoes every byte): skipped, and no qx byte is sent after it', async () => {
    const pty = await startPtyPair();
    const peer = await openSerialPort(pty.peer, { baudRate: 2400 });
    let got = '';
    peer.onUnsolicited((d) => {
      got += d.toString('latin1');
      void peer.write(Buffer.concat([d, Buffer.from('\r\n')]));
    });
    try {
      const res = await probeSerialPort(pty.device, FAST);
      assert.equal(res.ups, null);
      assert.equal(res.note, `answers APC's Y with "Y", "Y", not SM; not probed further`);
      assert.equal(res.sent, 'YY');
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(got, 'YY');
    } finally {
      await peer.close();
      await pty.stop();
    }
  });

  test('a missing port: a note on stderr, the others still scanned, exit 0', async () => {
    const r = await scanPorts([{ path: '/nonexistent/ttyUSB9' }], serialProber(FAST));
    assert.equal(r.code, 0);
    assert.match(r.err, /^upsagent scan: \/nonexistent\/ttyUSB9: not opened: /);
    assert.match(r.out, /^# {3}\/nonexistent\/ttyUSB9: not opened: /m);
  });

  test('a busy port (open elsewhere, locked): skipped with a note', async () => {
    const pty = await startPtyPair();
    const holder = await openSerialPort(pty.device, { baudRate: 2400 });
    try {
      const res = await probeSerialPort(pty.device, FAST);
      assert.equal(res.ups, null);
      assert.match(res.note, /^busy, not opened \(another program has it, e\.g\. a running driver\): .*Cannot lock port/);
      assert.equal(res.sent, '');
    } finally {
      await holder.close();
      await pty.stop();
    }
  });
});

void describe('serial scan: the probes without ptys', () => {
  test("APC's dual-mode cable: silent with the lines as opened, answers with DTR on and RTS off -> cable: 940-0095B", async () => {
    const sim = new ApcSimulator();
    sim.silent = true;
    const link = simLink(sim, '/dev/ttyS0');
    const setLines = link.setLines.bind(link);
    link.setLines = async (l) => {
      await setLines(l);
      sim.silent = !(l.dtr === true && l.rts === false);
    };
    const r = await scanPorts([{ path: '/dev/ttyS0' }], serialProber({ ...FAST, openSerial: async () => link }));
    assert.equal(r.err, '');
    assert.match(r.out, /^ {4}driver: apcsmart\n {4}port: "\/dev\/ttyS0"\n {4}cable: "940-0095B"\n/m);
    assert.deepEqual(link.lines, [{ dtr: true, rts: false }]);
    assert.equal(sim.wire(), 'YYY\x01nb');
    assert.deepEqual(sim.executed, []);
    const cfg = await configFrom(r.out);
    assert.equal((cfg.ups['smart-ups-1000'] as { cable?: string }).cable, '940-0095B');
  });

  test('an open or a write that hangs: the budget still ends the probe, the port is closed', async () => {
    const sim = new ApcSimulator();
    const link = simLink(sim, '/dev/ttyS5');
    let closed = 0;
    link.write = () => new Promise<void>(() => undefined);
    link.close = async () => void closed++;
    const t0 = Date.now();
    const hungWrite = await probeSerialPort('/dev/ttyS5', { ...FAST, budgetMs: 300, openSerial: async () => link });
    assert.equal(hungWrite.note, 'no UPS answered within 300 ms');
    assert.equal(closed, 1);
    const hungOpen = await probeSerialPort('/dev/ttyS6', { ...FAST, budgetMs: 300, openSerial: () => new Promise<SerialLink>(() => undefined) });
    assert.equal(hungOpen.note, 'no UPS answered within 300 ms');
    assert.ok(Date.now() - t0 < 1500, `${Date.now() - t0} ms`);
  });

  test('names unique over USB HID and serial UPSes; the mixed header; the YAML validates', async () => {
    const found = (port: string, model: string): SerialProbeResult => ({ port, ups: { port, driver: 'qx', protocol: 'megatec', protocolVersion: 'Megatec 0.10', model }, note: 'answers as qx protocol megatec', sent: '', ms: 1 });
    const probe: ProbeSerialPort = async (p) => (p === '/dev/ttyS1' ? { port: p, ups: null, note: 'nothing answered', sent: 'Y', ms: 1 } : found(p, 'Back-UPS 500'));
    const hid: ListedHidDevice = { vendorId: 0x051d, productId: 0x0002, manufacturer: 'APC', product: 'Back-UPS 500 FW: 6.5.I', path: '/dev/hidraw3', usagePage: 0x84 };
    const r = await scanPorts([{ path: '/dev/ttyUSB1' }, { path: '/dev/ttyS1' }, { path: '/dev/ttyUSB0' }], probe, [hid]);
    assert.match(r.out, /^# 3 UPS found by upsagent scan \(1 on USB, 2 on serial ports\); paste into the configuration file\.$/m);
    const cfg = await configFrom(r.out);
    assert.deepEqual(Object.keys(cfg.ups), ['back-ups-500', 'back-ups-500-2', 'back-ups-500-3']);
    assert.equal(cfg.ups['back-ups-500-2']!.port, '/dev/ttyUSB0');
    assert.equal(cfg.ups['back-ups-500-3']!.port, '/dev/ttyUSB1');
    assert.equal(r.err, 'upsagent scan: /dev/ttyS1: nothing answered\n');
    assert.match(r.out, /^# {3}\/dev\/ttyS1: nothing answered$/m);
  });

  test('HID found, serial probed with nothing: the HID section is exactly as before, the port a comment', async () => {
    const hid: ListedHidDevice = { vendorId: 0x0764, productId: 0x0501, manufacturer: 'CPS', product: 'CP1500PFCLCD', path: '/dev/hidraw5', usagePage: 0x84 };
    const r = await scanPorts([{ path: '/dev/ttyS0' }], async (p) => ({ port: p, ups: null, note: 'nothing answered', sent: 'YY', ms: 1 }), [hid]);
    assert.equal(
      r.out,
      [
        '# 1 UPS found on USB by upsagent scan; paste into the configuration file.',
        'ups:',
        '  # /dev/hidraw5, usage page 0x84, CyberPower',
        '  cp1500pfclcd:',
        '    driver: usbhid',
        '    port: "auto"',
        '    vendorid: "0764"',
        '    productid: "0501"',
        '    desc: "CPS CP1500PFCLCD"',
        '',
        '# 1 serial port(s) where no qx (Megatec/Q1) or APC Smart UPS answered; a contact-closure UPS there needs driver genericups with its upstype:',
        '#   /dev/ttyS0: nothing answered',
        '',
      ].join('\n'),
    );
    await configFrom(r.out);
  });

  test('--no-probe (probe: false): the ports are listed and never opened', async () => {
    let calls = 0;
    const io = new MemoryIO();
    const code = await runScan(io, { hid: async () => [], serial: async () => [{ path: '/dev/ttyS0' }], probeSerial: async (p) => (calls++, { port: p, ups: null, note: '', sent: '', ms: 0 }) }, { probe: false });
    assert.equal(code, 0);
    assert.equal(calls, 0);
    assert.match(io.stdout, /^# 1 serial port\(s\); a UPS on one needs a serial driver \(qx, apcsmart or genericups\) with the port; not probed:\n# {3}\/dev\/ttyS0\n/m);
  });

  test('a probe that throws anyway is a note, not an exception out of scan', async () => {
    const r = await scanPorts([{ path: '/dev/ttyS0' }], async () => {
      throw new Error('boom');
    });
    assert.equal(r.code, 0);
    assert.equal(r.err, 'upsagent scan: /dev/ttyS0: probe failed: boom\n');
  });

  test('every read-only claim list names a protocol of this build, and every protocol tried has one', () => {
    const names = QX_PROTOCOLS.map((p) => p.name);
    for (const name of Object.keys(READ_ONLY_CLAIMS)) assert.ok(names.includes(name), `${name} is not in QX_PROTOCOLS`);
    // Commands of Q1 dialects that change the UPS never appear in the lists.
    for (const c of QX_READ_ONLY) assert.doesNotMatch(c, /^(Q|T\d*|TL|CT|C|S.*|PE.|PD.|BZO.*)\r$/);
  });
});

/**
 * A Q1-family unit in memory: answers the lines (up to \r) in `replies`,
 * and what it does not know with `unknown` (echo as Megatec units, `(NAK`
 * as Voltronic ones). Bytes without \r (APC's Y) wait for the next \r, as
 * a unit's line buffer does. No modem lines, as a pty.
 */
function scriptedUnit(path: string, replies: Record<string, string>, unknown: 'echo' | 'nak' = 'echo'): SerialLink & { lines: string[] } {
  const rb = new ReplyBuffer();
  let open = true;
  let pending = '';
  const lines: string[] = [];
  const gone = (): DeviceGoneError => new DeviceGoneError(`${path}: closed`);
  return {
    path,
    lines,
    get isOpen() {
      return open;
    },
    write(data) {
      if (!open) return Promise.reject(gone());
      pending += typeof data === 'string' ? data : data.toString('latin1');
      let i;
      while ((i = pending.indexOf('\r')) >= 0) {
        const line = pending.slice(0, i);
        pending = pending.slice(i + 1);
        lines.push(`${line}\r`);
        const r = replies[line] ?? (unknown === 'nak' ? '(NAK' : line);
        setImmediate(() => open && rb.push(Buffer.from(`${r}\r`, 'latin1')));
      }
      return Promise.resolve();
    },
    read: (end, ms, signal) => (open ? rb.read(end, ms, `read from ${path}`, signal) : Promise.reject(gone())),
    drain: () => rb.drain(),
    onUnsolicited: (fn) => rb.onUnsolicited(fn),
    setLines: () => Promise.reject(new Error('ENOTTY')),
    getLines: () => Promise.reject(new Error('ENOTTY')),
    close() {
      open = false;
      return Promise.resolve();
    },
  };
}

void describe('serial scan: every qx protocol found in NUT order, each with read-only queries only', () => {
  const v = qxFixture<Record<string, string>>('voltronic.json');
  const qs = qxFixture<Record<string, string>>('voltronic-qs.json');
  const tp = qxFixture<Record<string, string>>('q2-q6.json');
  const q1 = '(215.0 195.0 230.0 014 49.0 22.7 30.0 00100000';
  const vendor = '#ACME            UPS-1000   V1.0      ';
  const units: Array<[string, Record<string, string>, ('echo' | 'nak')?, Record<string, string>?]> = [
    ['voltronic', { QGS: v.QGS!, QPI: v.QPI!, QMD: v.QMD!, QMF: v.QMF!, QVFW: v.QVFW!, QID: v.QID!, I: v.I!, F: v.F! }, 'nak', { mfr: 'VOLTRONIC', model: 'OLHVT1K0', firmware: 'VT12046Q', serial: '685653211455' }],
    ['voltronic-qs', { M: qs.M_V!, QS: qs.QS! }],
    ['voltronic-qs-hex', { M: qs.hex_M_P!, QS: qs.hex_QS_P! }],
    ['mustek', { QS: q1 }],
    ['megatec/old', { D: q1 }],
    ['bestups', { Q1: q1, ID: 'FOR,750,120,120,20.0,27.6' }, 'echo', { mfr: 'Best Power', model: 'Fortress' }],
    ['mecer', { Q1: q1, QPI: '(NAK', I: vendor }, 'echo', { mfr: 'ACME', model: 'UPS-1000', firmware: 'V1.0' }],
    ['megatec', { Q1: q1, I: vendor }, 'echo', { mfr: 'ACME', model: 'UPS-1000', firmware: 'V1.0' }],
    ['zinto', { Q1: q1, 'FW?': vendor }, 'echo', { mfr: 'ACME', model: 'UPS-1000', firmware: 'V1.0' }],
    ['q2', { Q2: tp.Q2!, Q1: tp.Q1!, WA: tp.WA! }],
    ['q6', { Q6: tp.Q6!, Q1: tp.Q1!, WA: tp.WA! }],
    ['q1', { Q1: q1 }],
  ];
  for (const [name, replies, unknown, identity] of units) {
    test(`${name}`, async () => {
      assert.ok(QX_PROTOCOLS.some((p) => p.name === name), `${name} is in QX_PROTOCOLS`);
      const unit = scriptedUnit('/dev/ttyS3', replies, unknown);
      const res = await probeSerialPort('/dev/ttyS3', { timeoutMs: 200, flushMs: 50, settleMs: 0, openSerial: async () => unit });
      assert.equal(res.ups?.driver, 'qx', res.note);
      assert.equal(res.ups?.protocol, name, res.note);
      // APC's Y bytes end up in the first line; every other line is a read-only query, each sent once.
      assert.equal(unit.lines[0], 'YY\r');
      const rest = unit.lines.slice(1);
      for (const c of rest) assert.ok(QX_READ_ONLY.has(c), `${JSON.stringify(c)} sent`);
      assert.equal(new Set(rest).size, rest.length, `a command sent twice: ${JSON.stringify(rest)}`);
      if (identity) for (const [k, val] of Object.entries(identity)) assert.equal(res.ups?.[k as 'mfr' | 'model' | 'firmware' | 'serial'], val, k);
    });
  }
});
