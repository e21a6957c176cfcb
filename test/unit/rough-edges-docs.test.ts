/**
 * docs/clients.md: every upsagent.yaml block in it passes `config check`
 * (the NAS fixed names and users included), and the README links the page.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MemoryIO } from '../../src/cli/io';
import { runConfigCheck } from '../../src/cli/commands/config-check';
import { parseConfig } from '../../src/app/config';

const ROOT = resolve(__dirname, '../..');
const DOC = readFileSync(join(ROOT, 'docs/clients.md'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'upsagent-docs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The fenced yaml blocks whose first line says they are an upsagent.yaml. */
function agentBlocks(): Array<{ title: string; text: string }> {
  return [...DOC.matchAll(/```yaml\n(# upsagent\.yaml[^\n]*)\n([\s\S]*?)```/g)].map((m) => ({ title: m[1]!, text: `${m[1]}\n${m[2]}` }));
}

test('every upsagent.yaml block of docs/clients.md passes config check', async () => {
  const blocks = agentBlocks();
  assert.ok(blocks.length >= 4, `found ${blocks.length} blocks`);
  for (const [i, b] of blocks.entries()) {
    const file = join(dir, `block${i}.yaml`);
    writeFileSync(file, b.text);
    const io = new MemoryIO();
    const code = await runConfigCheck(file, io, { lookup: () => Promise.reject(new Error('no host name is expected in these blocks')) });
    assert.equal(code, 0, `${b.title}\n${io.stderr}`);
    assert.equal(io.stderr, '', `${b.title}: no warning expected\n${io.stderr}`);
  }
});

test("the NAS blocks offer exactly the names those systems ask for, with nothing but the monitor right", async () => {
  const find = (what: string) => agentBlocks().find((b) => b.title.includes(what))!.text;
  const dsm = await parseConfig(find('Synology'));
  assert.deepEqual(Object.keys(dsm.ups), ['ups']);
  assert.deepEqual(dsm.users, { monuser: { password: 'secret', upsmon: 'secondary', actions: [], instcmds: [] } });
  const qnap = await parseConfig(find('QNAP'));
  assert.deepEqual(Object.keys(qnap.ups), ['qnapups']);
  assert.deepEqual(qnap.users, { admin: { password: '123456', upsmon: 'secondary', actions: [], instcmds: [] } });
  for (const cfg of [dsm, qnap]) assert.ok((cfg.server?.listen ?? []).some((l) => !l.startsWith('127.') && !l.startsWith('[::1]')), 'reachable from the LAN');
});

test('README links docs/clients.md', () => {
  assert.match(readFileSync(join(ROOT, 'README.md'), 'utf8'), /\]\(docs\/clients\.md\)/);
});
