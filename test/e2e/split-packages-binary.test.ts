/**
 * The libraries the executable carries outside its main script (mail, MQTT,
 * SNMP, Prometheus: src/platform/split-packages.ts) load from inside it and
 * work, each through a real peer: `notify test` mails over STARTTLS to an
 * SMTP server and publishes on a real Mosquitto (nodemailer, mqtt),
 * `scan --snmp` finds a card simulated by snmpsim (net-snmp), and /metrics
 * answers from the running agent (prom-client). The executable runs from a
 * copy outside the checkout, so there is no node_modules to fall back on.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Mosquitto, Watcher } from '../helpers/mosquitto';
import { SMTP_PASSWORD, SMTP_USER, certificate, smtp } from '../helpers/notify-receivers';
import { freePort } from '../helpers/real-nut';
import { startSnmpsim } from '../helpers/snmpsim';

const ROOT = resolve(__dirname, '../..');
const BUILT = join(ROOT, 'dist/upsagent');
let dir: string;
let bin: string;
const env = (): NodeJS.ProcessEnv => ({ PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: dir, LANG: 'C' });

function run(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((done) =>
    execFile(bin, args, { env: env(), timeout: 60_000 }, (err, stdout, stderr) => done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` })),
  );
}

before(() => {
  if (!existsSync(BUILT)) execFileSync(process.execPath, [join(ROOT, 'build/build.mjs')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: 170_000 });
  dir = mkdtempSync(join(tmpdir(), 'upsagent-split-'));
  bin = join(dir, 'upsagent');
  copyFileSync(BUILT, bin);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('notify test from the executable: a mail over STARTTLS and an MQTT message both arrive', async () => {
  const broker = await Mosquitto.start();
  const { key, cert, certFile } = certificate(dir);
  const mail = await smtp({ key, cert });
  const w = await Watcher.connect(broker.url, 'upsagent/notify');
  try {
    const file = join(dir, 'notify.yaml');
    writeFileSync(
      file,
      [
        'ups:',
        `  u: { driver: dummy, port: ${join(ROOT, 'test/fixtures/sidebyside/rack.dev')} }`,
        'monitor:',
        '  ups: [{ name: u }]',
        '  notify: { routes: { ONBATT: [log] } }',
        'mqtt:',
        `  url: ${broker.url}`,
        'notify:',
        '  channels:',
        `    - { type: email, name: mail, host: 127.0.0.1, port: ${mail.port}, user: ${SMTP_USER}, password: ${SMTP_PASSWORD}, from: ups@example.org, to: ops@example.org, ca: ${certFile} }`,
        '    - { type: mqtt, name: bus }',
        '',
      ].join('\n'),
    );
    const r = await run(['notify', 'test', 'onbatt', 'u', '--config', file]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /^ {2}email channel mail: delivered$/m);
    assert.match(r.out, /^ {2}mqtt channel bus: delivered$/m);
    assert.match(mail.mails[0]!.raw, /^Subject: \[upsagent\] ONBATT u on /m);
    const doc = JSON.parse(await w.waitFor('upsagent/notify')) as { type: string };
    assert.equal(doc.type, 'ONBATT');
  } finally {
    await w.close();
    mail.server.close();
    await broker.stop();
  }
});

test('scan --snmp from the executable finds the simulated card', async () => {
  const sim = await startSnmpsim({ communities: ['ietf'] });
  try {
    const r = await run(['scan', '--snmp', '127.0.0.1', '--snmp-port', String(sim.port), '--community', 'ietf', '--snmp-version', 'v2c']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, new RegExp(`port: "?127\\.0\\.0\\.1:${sim.port}"?`));
    assert.match(r.out, /mibs: "?ietf"?/);
  } finally {
    await sim.stop();
  }
});

test('/metrics from the running executable', async () => {
  const [nut, web] = [await freePort(), await freePort()];
  const file = join(dir, 'metrics.yaml');
  writeFileSync(
    file,
    [
      'ups:',
      `  u: { driver: dummy, port: ${join(ROOT, 'test/fixtures/sidebyside/rack.dev')} }`,
      'server:',
      `  listen: ["127.0.0.1:${nut}"]`,
      'http:',
      `  listen: ["127.0.0.1:${web}"]`,
      '',
    ].join('\n'),
  );
  const child = spawn(bin, ['run', '--config', file], { env: env(), stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (log += d));
  try {
    let text = '';
    for (let i = 0; i < 100 && !/^network_ups_tools_ups_status\{ups="u",flag="OL"\} 1$/m.test(text); i++) {
      await new Promise((r) => setTimeout(r, 200));
      text = await fetch(`http://127.0.0.1:${web}/metrics`).then((res) => res.text(), () => '');
    }
    assert.match(text, /^# TYPE network_ups_tools_ups_status gauge$/m, log);
    assert.match(text, /^network_ups_tools_ups_status\{ups="u",flag="OL"\} 1$/m, `${text}\n${log}`);
  } finally {
    child.kill('SIGTERM');
  }
});
