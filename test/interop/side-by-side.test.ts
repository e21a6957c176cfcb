/**
 * Side by side: the real upsd + dummy-ups and upsagent serve the same .dev
 * file, and the real NUT clients (and raw protocol requests) must get the same
 * bytes from both. Only version strings, driver.* variables and descriptions
 * may differ (see filter()).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { startAgent, type RunningAgent } from '../../src/app/agent';
import { validateConfig } from '../../src/app/config';
import { MemoryLogger } from '../../src/core/logger';
import { freePort, startRealNut, UPSC, UPSCMD, UPSRW, type RealNut } from '../helpers/real-nut';

const OWN = resolve(__dirname, '../fixtures/sidebyside/rack.dev');
const DDL = resolve(__dirname, '../../../shared/fixtures/nut-ddl');

/** A spread of real dumps (when ../shared is there): different vendors, drivers and eras. */
function ddlSample(): string[] {
  if (!existsSync(DDL)) return [];
  const all: string[] = [];
  for (const mfr of readdirSync(DDL).sort()) {
    const dir = join(DDL, mfr);
    if (!statSync(dir).isDirectory()) continue;
    for (const f of readdirSync(dir).sort()) if (f.endsWith('.dev')) all.push(join(dir, f));
  }
  // Every 40th file: about 18 devices, deterministic.
  return all.filter((_, i) => i % 40 === 0);
}

const files = [OWN, ...ddlSample()];
const names = files.map((_, i) => `u${i}`);
const USERS = { admin: { password: 'sekret', actions: ['set', 'fsd'] as ('set' | 'fsd')[], instcmds: ['all'] } };

function run(cmd: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((res) => {
    const child = execFile(cmd, args, { timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      res({ code, out: stdout, err: stderr.replace(/^Init SSL without certificate database\n/m, '') });
    });
    // No input: close stdin at once (a tool that already exited would make a write fail with EPIPE).
    child.stdin?.on('error', () => undefined);
    child.stdin?.end();
  });
}

/** Sends each request line and collects the whole reply (up to END LIST for lists). */
function exchange(port: number, lines: string[]): Promise<string[]> {
  return new Promise((res, rej) => {
    const sock = connect(port, '127.0.0.1');
    const replies: string[] = [];
    let buf = '';
    let cur: string[] = [];
    let i = 0;
    const sendNext = () => {
      if (i >= lines.length) {
        sock.end();
        res(replies);
        return;
      }
      sock.write(`${lines[i++]}\n`);
    };
    sock.setEncoding('latin1');
    sock.on('error', rej);
    sock.on('connect', sendNext);
    sock.on('data', (d: string) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        cur.push(line);
        const isList = cur[0]!.startsWith('BEGIN LIST');
        if (!isList || line.startsWith('END LIST')) {
          replies.push(cur.join('\n'));
          cur = [];
          sendNext();
        }
      }
    });
  });
}

/** Drops what may legitimately differ: driver.* variables, descriptions, version lines. */
function filter(text: string): string {
  return text
    .split('\n')
    .filter((l) => !/(^|\s|\[)driver\.\S/.test(l))
    .filter((l) => !/^(DESC|CMDDESC) /.test(l))
    .join('\n');
}

/** upsrw prints `[var]`, a description line, then Type/Value lines: drop the description and driver.* blocks. */
function filterUpsrw(text: string): string {
  return text
    .split('\n\n')
    .filter((block) => !block.startsWith('[driver.'))
    .map((block) => block.split('\n').filter((_, i) => i !== 1).join('\n'))
    .join('\n\n');
}

describe('side by side with real upsd + dummy-ups', () => {
  let real: RealNut;
  let ours: RunningAgent;
  let ourPort: number;

  before(async () => {
    const devices = Object.fromEntries(names.map((n, i) => [n, { file: files[i]!, desc: `Device ${i}` }]));
    real = await startRealNut({ devices, users: { admin: { password: 'sekret', actions: ['SET', 'FSD'], instcmds: ['ALL'] } } });
    ourPort = await freePort();
    const config = validateConfig({
      ups: Object.fromEntries(names.map((n, i) => [n, { driver: 'dummy', port: real.deviceFiles[n] ?? files[i], desc: `Device ${i}` }])),
      server: { listen: [`127.0.0.1:${ourPort}`] },
      users: USERS,
    });
    ours = await startAgent({ config, log: new MemoryLogger(), version: 'test' });
    // Wait until every UPS has its first data (no WAIT).
    for (let tries = 0; tries < 100; tries++) {
      if (names.every((n) => ours.store.get(n)?.health.dumpDone)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  after(async () => {
    await ours?.stop();
    await real?.stop();
  });

  test('upsc -l and upsc -L list the same UPSes', async () => {
    for (const flag of ['-l', '-L']) {
      const a = await run(UPSC, [flag, `127.0.0.1:${real.port}`]);
      const b = await run(UPSC, [flag, `127.0.0.1:${ourPort}`]);
      assert.equal(b.out, a.out);
      assert.equal(b.code, a.code);
    }
  });

  for (const [i, n] of names.entries()) {
    test(`${n} (${files[i]!.split('/').pop()}): upsc, upsrw, upscmd -l and raw replies match`, async () => {
      const a = await run(UPSC, [`${n}@127.0.0.1:${real.port}`]);
      const b = await run(UPSC, [`${n}@127.0.0.1:${ourPort}`]);
      assert.equal(b.code, a.code);
      assert.equal(filter(b.out), filter(a.out));

      const rwA = await run(UPSRW, [`${n}@127.0.0.1:${real.port}`]);
      const rwB = await run(UPSRW, [`${n}@127.0.0.1:${ourPort}`]);
      assert.equal(filterUpsrw(rwB.out), filterUpsrw(rwA.out));

      const cA = await run(UPSCMD, ['-l', `${n}@127.0.0.1:${real.port}`]);
      const cB = await run(UPSCMD, ['-l', `${n}@127.0.0.1:${ourPort}`]);
      // upscmd -l prints "cmd - description": compare the command names.
      const cmds = (t: string) => t.split('\n').map((l) => l.split(' - ')[0]).join('\n');
      assert.equal(cmds(cB.out), cmds(cA.out));

      const vars = (await exchange(real.port, [`LIST VAR ${n}`]))[0]!
        .split('\n')
        .slice(1, -1)
        .map((l) => l.split(' ')[2]!);
      const requests = [
        `LIST VAR ${n}`,
        `LIST RW ${n}`,
        `LIST CMD ${n}`,
        `GET UPSDESC ${n}`,
        `GET NUMLOGINS ${n}`,
        `GET VAR ${n} ups.status`,
        `GET VAR ${n} no.such.var`,
        `GET TYPE ${n} no.such.var`,
        `LIST ENUM ${n} no.such.var`,
        `GET VAR ${n.toUpperCase()} ups.status`,
        ...vars.flatMap((v) => [`GET VAR ${n} ${v}`, `GET TYPE ${n} ${v}`, `LIST ENUM ${n} ${v}`, `LIST RANGE ${n} ${v}`]),
      ];
      const ra = await exchange(real.port, requests);
      const rb = await exchange(ourPort, requests);
      requests.forEach((req, k) => assert.equal(filter(rb[k]!), filter(ra[k]!), `reply to ${req}`));
    });
  }

  test('errors and session commands answer alike', async () => {
    const requests = [
      'LIST UPS',
      'GET VAR nosuchups ups.status',
      'LIST VAR nosuchups',
      'GET VAR',
      'LIST',
      'FOO',
      '',
      'NETVER',
      'PROTVER',
      'NETVER x',
      'HELP',
      'STARTTLS',
      'SET VAR u0 ups.load "5"',
      'INSTCMD u0 load.off',
      'LOGIN u0',
      'USERNAME admin',
      'USERNAME again',
      'PASSWORD wrong',
      'PASSWORD again',
      'SET VAR u0 ups.load "5"',
      'LOGOUT',
    ];
    const ra = await exchange(real.port, requests);
    const rb = await exchange(ourPort, requests);
    requests.forEach((req, k) => assert.equal(filter(rb[k] ?? '(closed)'), filter(ra[k] ?? '(closed)'), `reply to ${JSON.stringify(req)}`));
  });

  test('SET VAR through upsrw changes the value on both, and upsc then reads it back alike', async () => {
    for (const port of [real.port, ourPort]) {
      const r = await run(UPSRW, ['-s', 'battery.charge.low=20', '-u', 'admin', '-p', 'sekret', `u0@127.0.0.1:${port}`]);
      assert.equal(r.code, 0, r.err);
    }
    for (let tries = 0; tries < 50; tries++) {
      const a = await run(UPSC, [`u0@127.0.0.1:${real.port}`, 'battery.charge.low']);
      if (a.out.trim() === '20') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const a = await run(UPSC, [`u0@127.0.0.1:${real.port}`, 'battery.charge.low']);
    const b = await run(UPSC, [`u0@127.0.0.1:${ourPort}`, 'battery.charge.low']);
    assert.equal(a.out, '20\n');
    assert.equal(b.out, a.out);
  });
});
