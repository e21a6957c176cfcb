/**
 * The monitor inside the agent, on real time and real processes: a local UPS
 * read from the store (a dummy driver on a .dev file), a remote one over our
 * own NUT server, the state file and `upsagent status`. Timings are short
 * (pollFreq 1, finalDelay 1) and bounds loose: what is checked is what
 * happens and in which order, not how fast.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgent, type RunningAgent } from '../../src/app/agent';
import { validateConfig } from '../../src/app/config';
import { MemoryLogger } from '../../src/core/logger';
import { NOTIFY_TYPE_NAMES } from '../../src/monitor/notify-types';
import { readStateFile } from '../../src/monitor/history';
import { runStatus } from '../../src/cli/commands/status';
import { MemoryIO } from '../../src/cli/io';
import { startHarness } from '../helpers/fake-driver';

const DEV = readFileSync(join(__dirname, '../fixtures/dummy/basic.dev'), 'utf8');
const logOnly = Object.fromEntries(NOTIFY_TYPE_NAMES.map((t) => [t, ['log']]));

function devWith(status: string): string {
  return DEV.replace(/^ups\.status:.*$/m, `ups.status: ${status}`);
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

test('local primary: OB LB sets FSD in the store, notifies, runs the command; a slow notification command delays nothing (nut#3115)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-mon-'));
  const dev = join(dir, 'u.dev');
  writeFileSync(dev, devWith('OL'));
  const marker = `upsagent-slow-notify-${process.pid}`;
  const shut = join(dir, 'shutdown');
  const notes = join(dir, 'notes');
  const late = join(dir, 'late');
  const log = new MemoryLogger();
  let agent: RunningAgent | undefined;
  try {
    const config = validateConfig({
      ups: { u: { driver: 'dummy', port: dev, pollInterval: 1 } },
      server: { listen: ['127.0.0.1:0'] },
      monitor: {
        ups: [{ name: 'u' }],
        pollFreq: 1,
        pollFreqAlert: 1,
        finalDelay: 1,
        hostSync: 5,
        shutdownCommand: `date +%s%3N > ${shut}`,
        powerDownFlag: join(dir, 'killpower'),
        stateFile: join(dir, 'state.json'),
        notify: {
          routes: { ...logOnly, ONBATT: ['log', 'exec'], LOWBATT: ['log', 'exec'], FSD: ['log', 'exec'], SHUTDOWN: ['log', 'exec'] },
          commands: [
            `printf '%s %s %s\\n' "$NOTIFYTYPE" "$UPSNAME" "$(date +%s%3N)" >> ${notes}`,
            // Every notification also starts a command that takes 20 s: nothing may wait for it.
            `exec -a ${marker} sleep 20; echo late >> ${late}`,
          ],
        },
      },
    });
    agent = await startAgent({ config, log, version: 'test' });
    await until('the first read', () => agent!.store.get('u')?.getVar('ups.status')?.value === 'OL');
    const t0 = Date.now();
    writeFileSync(dev, devWith('OB LB'));
    await until('the shutdown command', () => existsSync(shut) && lines(shut).length > 0, 20_000);
    const ranAt = Number(lines(shut)[0]);
    assert.ok(agent.store.get('u')!.fsd, 'the primary latched FSD on its own UPS');
    assert.ok(!existsSync(late), 'the slow notification commands are still running: the shutdown did not wait for them');
    assert.ok(ranAt - t0 < 10_000, `shutdown command ${ranAt - t0} ms after the change (driver poll + finalDelay 1 s)`);
    const types = lines(notes).map((l) => l.split(' ')[0]);
    for (const t of ['ONBATT', 'LOWBATT', 'FSD', 'SHUTDOWN']) assert.ok(types.includes(t), `${t} notified (got ${types.join(',')})`);
    assert.equal(readFileSync(join(dir, 'killpower'), 'utf8'), 'upsmon-shutdown-file');
    // The state file keeps the events and the view for `upsagent events` and `status`.
    await until('the state file', async () => ((await readStateFile(join(dir, 'state.json')))?.events.length ?? 0) >= 4);
    const st = (await readStateFile(join(dir, 'state.json')))!;
    assert.deepEqual(
      st.events.map((e) => e.type),
      ['ONBATT', 'LOWBATT', 'FSD', 'SHUTDOWN'],
    );
    const io = new MemoryIO();
    assert.equal(await runStatus({ target: `@127.0.0.1:${agent.addresses()[0]!.port}`, json: false, stateFiles: [join(dir, 'state.json')] }, io), 0);
    assert.match(io.stdout, /Monitor: 0 of at least 1 power supplies healthy/);
    assert.match(io.stdout, /SHUTDOWN since .*too few healthy power supplies/);
    assert.match(io.stdout, /u \(primary, power value 1\): on battery for \d+ s, low battery, charge 100 %, runtime 40 min\n {4}next: shutdown in progress/);
  } finally {
    await agent?.stop();
    try {
      execFileSync('pkill', ['-f', marker]);
    } catch {
      // None left.
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

test('remote secondary over our NUT server: logs in, notifies, FSD shuts it down, then it logs out', async () => {
  const h = await startHarness();
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-mon-'));
  const shut = join(dir, 'shutdown');
  const notes = join(dir, 'notes');
  let logins = 0;
  h.bus.on('ups.logins', {}, (e) => (logins = e.count));
  let agent: RunningAgent | undefined;
  const pub = h.store.publisher('ups1');
  try {
    h.drivers.ups1!.attach({ 'ups.status': 'OL', 'battery.charge': '100' });
    const name = `ups1@127.0.0.1:${h.port}`;
    const config = validateConfig({
      monitor: {
        ups: [{ name, user: 'mon', password: 'pw' }],
        pollFreq: 1,
        pollFreqAlert: 1,
        finalDelay: 1,
        shutdownCommand: `touch ${shut}`,
        stateFile: join(dir, 'state.json'),
        notify: { routes: { ...logOnly, ONBATT: ['exec'], ONLINE: ['exec'], FSD: ['exec'] }, commands: [`echo "$NOTIFYTYPE $UPSNAME" >> ${notes}`] },
      },
    });
    agent = await startAgent({ config, log: new MemoryLogger(), version: 'test' });
    assert.deepEqual(agent.addresses(), [], 'a host with only a monitor: section serves nothing');
    await until('the monitor to log in', () => logins === 1);
    pub.setVar('ups.status', 'OB DISCHRG');
    pub.dataOk();
    await until('ONBATT', () => lines(notes).includes(`ONBATT ${name}`));
    pub.setVar('ups.status', 'OL');
    pub.dataOk();
    await until('ONLINE', () => lines(notes).includes(`ONLINE ${name}`));
    assert.ok(!existsSync(shut));
    h.store.latchFsd('ups1', 'test');
    await until('the shutdown command', () => existsSync(shut));
    assert.ok(lines(notes).includes(`FSD ${name}`));
    await until('the logout', () => logins === 0);
    await Promise.race([agent.finished, new Promise((_, rej) => setTimeout(() => rej(new Error('not finished')), 5000))]);
  } finally {
    await agent?.stop();
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('remote: a server that goes away is COMMBAD, never a shutdown while last seen OL', async () => {
  const h = await startHarness();
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-mon-'));
  const notes = join(dir, 'notes');
  let agent: RunningAgent | undefined;
  try {
    h.drivers.ups1!.attach({ 'ups.status': 'OL' });
    const config = validateConfig({
      monitor: {
        ups: [{ name: `ups1@127.0.0.1:${h.port}`, user: 'mon', password: 'pw' }],
        pollFreq: 1,
        deadTime: 2,
        shutdownCommand: `touch ${join(dir, 'shutdown')}`,
        stateFile: join(dir, 'state.json'),
        notify: { routes: { ...logOnly, COMMBAD: ['exec'], COMMOK: ['exec'] }, commands: [`echo "$NOTIFYTYPE" >> ${notes}`] },
      },
    });
    agent = await startAgent({ config, log: new MemoryLogger(), version: 'test' });
    await new Promise((r) => setTimeout(r, 1500));
    await h.stop();
    await until('COMMBAD', () => lines(notes).includes('COMMBAD'));
    await new Promise((r) => setTimeout(r, 4000));
    assert.ok(!existsSync(join(dir, 'shutdown')), 'no shutdown: the UPS was last seen on line power');
    assert.match(agent.monitor!.view().supplies[0]!.next, /no decision while silent; last seen on line power/);
  } finally {
    await agent?.stop();
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
