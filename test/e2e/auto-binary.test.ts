/**
 * End to end: the built executable with no configuration anywhere (HOME and
 * UPSAGENT_CONFIG pointed at an empty folder, run as an ordinary account).
 * `upsagent run` starts on the automatic configuration and says so; this
 * container has no USB HID UPS, so it keeps looking, and `upsagent status`
 * says that too. An explicit `--config` naming a missing file still gets
 * the guide; `init` with nothing found writes nothing.
 *
 * If dist/upsagent is missing it is built first (test/run.sh builds before testing).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const BUILT = join(ROOT, 'dist/upsagent');
/** nobody: an account with no configuration of its own and no rights. */
const NOBODY = 65534;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

void describe('dist/upsagent with no configuration at all', () => {
  let scratch: string;
  let bin: string;
  let env: NodeJS.ProcessEnv;
  let agent: ChildProcess | null = null;
  let agentErr = '';
  const asUser = process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {};

  const run = (args: string[], timeout = 30_000): Promise<Run> =>
    new Promise((done) => {
      execFile(bin, args, { env, timeout, encoding: 'utf8', ...asUser }, (err, stdout, stderr) => {
        done({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
      });
    });

  before(() => {
    if (!existsSync(BUILT)) execFileSync(process.execPath, [join(ROOT, 'build/build.mjs')], { cwd: ROOT, stdio: 'ignore', timeout: 170_000 });
    scratch = mkdtempSync(join(tmpdir(), 'upsagent-auto-e2e-'));
    chmodSync(scratch, 0o755);
    bin = join(scratch, 'upsagent');
    copyFileSync(BUILT, bin);
    chmodSync(bin, 0o755);
    for (const d of ['home', 'tmp']) {
      mkdirSync(join(scratch, d));
      chmodSync(join(scratch, d), 0o777);
    }
    env = {
      PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: join(scratch, 'home'),
      TMPDIR: join(scratch, 'tmp'),
      UPSAGENT_CONFIG: join(scratch, 'home', 'upsagent.yaml'),
    };
  });
  after(() => {
    if (agent && agent.exitCode === null) agent.kill('SIGKILL');
    rmSync(scratch, { recursive: true, force: true });
  });

  test('run starts on the automatic configuration, says so, keeps looking; status says so; SIGTERM ends it', async () => {
    agent = spawn(bin, ['run'], { env, stdio: ['ignore', 'pipe', 'pipe'], ...asUser });
    agent.stderr!.on('data', (b: Buffer) => (agentErr += b.toString()));
    agent.stdout!.on('data', (b: Buffer) => (agentErr += b.toString()));
    const end = Date.now() + 30_000;
    while (!/no UPS found on USB; looking again every 30 s/.test(agentErr) && Date.now() < end && agent.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    assert.match(agentErr, new RegExp(`no configuration file at ${env.UPSAGENT_CONFIG!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: running on an automatic configuration`));
    assert.match(agentErr, /no UPS found on USB; looking again every 30 s.*nothing will shut this host down until one is found/);
    assert.equal(agent.exitCode, null, `the agent ended:\n${agentErr}`);

    const st = await run(['status']);
    assert.equal(st.code, 0, st.stdout + st.stderr);
    assert.match(st.stdout, /Automatic configuration \(no file at .*upsagent\.yaml; `upsagent init` writes it out\), pid \d+\./);
    assert.match(st.stdout, /No UPS found on USB yet; looking again every 30 s.*Nothing will shut this host down until one is found\./);
    const js = await run(['status', '--json']);
    const doc = JSON.parse(js.stdout) as { automatic?: { mode: string; pid: number; upses: unknown[] } };
    assert.equal(doc.automatic?.mode, 'automatic');
    assert.equal(doc.automatic?.pid, agent.pid);
    assert.deepEqual(doc.automatic?.upses, []);

    const code = await new Promise<number | null>((resolveExit) => {
      agent!.once('exit', (c) => resolveExit(c));
      agent!.kill('SIGTERM');
    });
    assert.equal(code, 0, agentErr);
    assert.doesNotMatch(agentErr, /shutdown -h|SHUTDOWN|error/i);
  });

  test('an explicit --config naming a missing file gets the guide, not the automatic run', async () => {
    const r = await run(['run', '--config', env.UPSAGENT_CONFIG!]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /there is no configuration file here/);
    assert.doesNotMatch(r.stderr, /automatic/);
  });

  test('init with no UPS on USB writes nothing and says why', async () => {
    const out = join(scratch, 'home', 'init.yaml');
    const r = await run(['init', '-o', out]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /no UPS found on USB HID/);
    assert.equal(existsSync(out), false);
  });
});
