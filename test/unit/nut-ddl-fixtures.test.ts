import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseDevFile } from '../../src/drivers/dummy/devfile';

/**
 * Every device dump of the NUT Devices Dumps Library must load. The library is
 * read-only shared data next to the repository; without it, the test runs on
 * our own small fixtures instead.
 */
const DDL = resolve(__dirname, '../../../shared/fixtures/nut-ddl');
const OWN = resolve(__dirname, '../fixtures/dummy');
const root = existsSync(DDL) ? DDL : OWN;

/** Dump files: .dev and .seq (dummy-ups input) and .nds (nut-ddl's draft of their successor). Not README/SOURCE. */
const DUMP = /\.(dev|seq|nds)$/;

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((e) => {
      const p = join(dir, e);
      return statSync(p).isDirectory() ? walk(p) : DUMP.test(e) ? [p] : [];
    });
}

const files = walk(root);

void describe(`device dumps under ${relative(process.cwd(), root) || root}`, () => {
  void test('there are dumps to check', () => {
    assert.ok(files.length > (root === DDL ? 700 : 2), `found ${files.length}`);
  });

  void test('every dump loads without error and yields variables', () => {
    const failures: string[] = [];
    for (const file of files) {
      try {
        const f = parseDevFile(readFileSync(file, 'latin1'), relative(root, file));
        const names = new Set(f.steps.flatMap((s) => s.vars.map(([n]) => n.toLowerCase())));
        const isDeviceDump = !file.endsWith('.nds');
        // A UPS, PDU or ATS dump names its status or its model somewhere; the .nds template only has var.N.
        const describesDevice = ['ups.status', 'ups.model', 'device.model', 'ups.mfr', 'device.mfr', 'battery.charge'].some((n) => names.has(n));
        if (names.size === 0) failures.push(`${file}: no variables`);
        else if (isDeviceDump && !describesDevice) failures.push(`${file}: no status, model or charge among ${[...names].slice(0, 5).join(', ')}`);
        if (f.steps.length === 0) failures.push(`${file}: no steps`);
      } catch (err) {
        failures.push(`${file}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  void test('a driver.* line never reaches the variables (the driver owns that tree)', () => {
    for (const file of files) {
      const f = parseDevFile(readFileSync(file, 'latin1'), file);
      const leaked = f.steps.flatMap((s) => s.vars).filter(([n]) => n.toLowerCase().startsWith('driver.'));
      assert.deepEqual(leaked, [], file);
    }
  });
});
