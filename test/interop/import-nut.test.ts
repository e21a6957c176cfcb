/**
 * `upsagent import-nut` against the real NUT 2.8.0: each served set of
 * test/fixtures/nutconf is run as it is by the real dummy-ups drivers and
 * upsd (they read the original files), and the import of the same files is
 * served by upsagent. The real upsc, upsrw and upscmd then must see the same
 * UPSes and descriptions, and every user (with their password as the test
 * reads it from the fixture, wrong passwords and unknown users too) must
 * succeed or fail the same way on both: SET (upsrw), instant commands
 * (upscmd), LOGIN, PRIMARY and FSD on the wire.
 *
 * What the test changes in its copy of the files, and why: every LISTEN
 * becomes 127.0.0.1 on a free port (tests stay on loopback), and the
 * STATEPATH and TLS lines go (the drivers' sockets live in the scratch
 * folder; Debian's upsd built with NSS refuses certificate settings it
 * cannot open). The imported monitor: section is not started: real upsmon
 * is not part of this comparison, and its shutdown command is real.
 *
 * The snmp-ups sections (hardware/) are checked by the unit test only:
 * serving them here would need the real snmp-ups polling a live SNMP agent
 * for each card, and hardware/ also names serial and USB devices there are none of.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startAgent, type RunningAgent } from '../../src/app/agent';
import { parseConfig } from '../../src/app/config';
import { MemoryLogger } from '../../src/core/logger';
import { importNut, readNutFolder } from '../../src/nutconf/import';
import { DUMMY_UPS, freePort, kill, launch, running, tail, UPSC, UPSCMD, UPSD, UPSRW } from '../helpers/real-nut';
import { runTool as run, sleep } from '../helpers/real-nut-serial';

const FIXTURES = resolve(__dirname, '../fixtures/nutconf');

/** The users of each set with their passwords, read by eye from its upsd.users (not through our parser). */
const SETS: Record<string, { upses: string[]; users: Array<[string, string]> }> = {
  standalone: {
    upses: ['nas', 'desk'],
    users: [
      ['admin', 's3cret pass'],
      ['monuser', 'm0n"quoted"'],
      ['watcher', 'watch#me'],
      ['operator', 'op-pw'],
      ['reader', 'read-only'],
      ['legacy', 'old'],
      ['nopass', 'anything'],
      ['admin', 'wrong'],
      ['nobody', 'x'],
    ],
  },
  netserver: {
    upses: ['rack-a', 'rack-b', 'pdu.1'],
    users: [
      ['upsmon-local', 'local-pw'],
      ['rackhost', 'rack-pw'],
      ['dashboard', 'dash'],
      ['admin', 'adm in'],
      ['admin', 'adm'],
      ['Admin', 'adm in'],
    ],
  },
};

/** One connection: each line sent in turn, each one-line reply collected. */
function exchange(port: number, lines: string[]): Promise<string[]> {
  return new Promise((res, rej) => {
    const sock = connect(port, '127.0.0.1');
    const replies: string[] = [];
    let buf = '';
    let i = 0;
    const next = (): void => {
      if (i >= lines.length) {
        sock.end();
        res(replies);
        return;
      }
      sock.write(`${lines[i++]}\n`);
    };
    sock.setEncoding('latin1');
    sock.on('error', rej);
    sock.on('connect', next);
    sock.on('data', (d: string) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        replies.push(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
        next();
      }
    });
  });
}

/** Protocol words with NUT's quoting, for passwords with blanks and quotes. */
const word = (s: string): string => (/^[^\s"\\]+$/.test(s) ? s : `"${s.replace(/(["\\])/g, '\\$1')}"`);

interface Served {
  dir: string;
  realPort: number;
  ourPort: number;
  agent: RunningAgent;
  children: ChildProcess[];
}

/** The set's copy, with LISTEN on loopback at `port` and no STATEPATH or TLS lines (see the header). */
function prepare(set: string, port: number): string {
  const dir = mkdtempSync(join(tmpdir(), `upsagent-import-${set}-`));
  cpSync(join(FIXTURES, set), dir, { recursive: true });
  const conf = readFileSync(join(dir, 'upsd.conf'), 'utf8')
    .split('\n')
    .filter((l) => !/^\s*(STATEPATH|CERT\w*|DISABLE_WEAK_SSL)\b/.test(l))
    .map((l) => (/^\s*LISTEN\b/.test(l) ? '' : l));
  writeFileSync(join(dir, 'upsd.conf'), [`LISTEN 127.0.0.1 ${port}`, ...conf].join('\n'), { mode: 0o600 });
  return dir;
}

async function serve(set: string): Promise<Served> {
  const realPort = await freePort();
  const dir = prepare(set, realPort);
  const children: ChildProcess[] = [];
  try {
    for (const ups of SETS[set]!.upses) {
      const drv = launch(dir, DUMMY_UPS, ['-a', ups, '-u', 'root', '-F'], `dummy-ups-${ups}.log`);
      children.push(drv);
      const deadline = Date.now() + 15_000;
      while (!existsSync(join(dir, `dummy-ups-${ups}`))) {
        if (!running(drv) || Date.now() > deadline) throw new Error(`dummy-ups ${ups} did not start:\n${tail(join(dir, `dummy-ups-${ups}.log`))}`);
        await sleep(50);
      }
    }
    const upsd = launch(dir, UPSD, ['-u', 'root', '-F'], 'upsd.log');
    children.push(upsd);
    for (const ups of SETS[set]!.upses) {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const r = await run(UPSC, [`${ups}@127.0.0.1:${realPort}`, 'ups.status']);
        if (r.code === 0 && r.out.trim() !== '' && r.out.trim() !== 'WAIT') break;
        if (!running(upsd) || Date.now() > deadline) throw new Error(`upsd does not serve ${ups}:\n${tail(join(dir, 'upsd.log'))}`);
        await sleep(100);
      }
    }

    // The YAML text the import writes, read as `run` reads a file.
    const config = await parseConfig(importNut(dir, readNutFolder(dir)).yaml, 'imported.yaml');
    const ourPort = await freePort();
    config.server = { ...config.server!, listen: [`127.0.0.1:${ourPort}`] };
    // upsd has no login throttle, and this test tries wrong passwords on purpose: ours is turned off here.
    config.server.loginThrottle = { ...config.server.loginThrottle, enabled: false };
    delete config.monitor;
    const agent = await startAgent({ config, log: new MemoryLogger(), version: 'test' });
    for (let tries = 0; tries < 100 && !SETS[set]!.upses.every((u) => agent.store.get(u)?.health.dumpDone); tries++) await sleep(100);
    return { dir, realPort, ourPort, agent, children };
  } catch (err) {
    for (const c of children.reverse()) await kill(c);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

for (const set of Object.keys(SETS)) {
  describe(`import-nut ${set}: real upsd on the originals, upsagent on the import`, () => {
    let s: Served;
    const both = async (cmd: string, args: (port: number) => string[]) => {
      const [r, o] = [await run(cmd, args(s.realPort)), await run(cmd, args(s.ourPort))];
      return { r, o };
    };

    before(async () => {
      s = await serve(set);
    });
    after(async () => {
      await s?.agent.stop();
      for (const c of [...(s?.children ?? [])].reverse()) await kill(c);
      if (s) rmSync(s.dir, { recursive: true, force: true });
    });

    test('the same UPSes with the same descriptions (upsc -l, upsc -L)', async () => {
      for (const flag of ['-l', '-L']) {
        const { r, o } = await both(UPSC, (port) => [flag, `127.0.0.1:${port}`]);
        assert.equal(r.code, 0, r.err);
        assert.equal(o.out, r.out, `upsc ${flag}`);
        assert.equal(r.out.trim().split('\n').length, SETS[set]!.upses.length);
      }
    });

    test('each user sets variables (upsrw -s) or is refused alike', async () => {
      for (const ups of SETS[set]!.upses) {
        for (const [user, pass] of SETS[set]!.users) {
          // ups.load: no set overrides it (an override.* makes a variable read-only in NUT, and the import leaves those out).
          const { r, o } = await both(UPSRW, (port) => ['-s', 'ups.load=15', '-u', user, '-p', pass, `${ups}@127.0.0.1:${port}`]);
          assert.equal(o.code, r.code, `upsrw as ${user} on ${ups}: real said ${r.out}${r.err}`);
          assert.equal(o.out + o.err, r.out + r.err, `upsrw as ${user} on ${ups}`);
        }
      }
    });

    test('each user runs instant commands (upscmd) or is refused alike', async () => {
      for (const ups of SETS[set]!.upses) {
        for (const [user, pass] of SETS[set]!.users) {
          for (const cmd of ['load.off', 'test.battery.start']) {
            const { r, o } = await both(UPSCMD, (port) => ['-u', user, '-p', pass, `${ups}@127.0.0.1:${port}`, cmd]);
            assert.equal(o.code, r.code, `upscmd ${cmd} as ${user} on ${ups}: real said ${r.out}${r.err}`);
            assert.equal(o.out + o.err, r.out + r.err, `upscmd ${cmd} as ${user} on ${ups}`);
          }
        }
      }
    });

    test('LOGIN, PRIMARY and FSD are granted to the same users', async () => {
      const ups = SETS[set]!.upses[0]!;
      // Rights proven before any FSD is set: FSD last, on one connection per user.
      for (const [user, pass] of SETS[set]!.users) {
        const lines = [`USERNAME ${word(user)}`, `PASSWORD ${word(pass)}`, `LOGIN ${ups}`, `PRIMARY ${ups}`, `MASTER ${ups}`, `FSD ${ups}`, 'LOGOUT'];
        const [r, o] = [await exchange(s.realPort, lines), await exchange(s.ourPort, lines)];
        assert.deepEqual(o, r, `as ${user}`);
      }
    });
  });
}
