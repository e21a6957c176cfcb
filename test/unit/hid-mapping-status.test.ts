import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildStatus, STATUS_FLAGS, StatusFlags, type StatusFlag, type StatusOptions, type StatusInputs } from '../../src/drivers/usbhid/mapping/status';

const status = (flags: StatusFlag[], options?: StatusOptions, inputs?: StatusInputs) => buildStatus(new Set(flags), options, inputs);

describe('ups.status from the internal flags', () => {
  test('one row per flag: the token (or its absence) and the alarm it raises', () => {
    // [flag, with online, alarm text]
    const table: Array<[StatusFlag, string, string?]> = [
      ['online', 'OL'],
      ['discharging', 'OL DISCHRG'],
      ['charging', 'OL CHRG'],
      ['lowbatt', 'OL LB'],
      ['timelimitexpired', 'OL LB'],
      ['shutdownimm', 'ALARM OL LB', 'Shutdown imminent!'],
      ['overload', 'OL OVER'],
      ['replacebatt', 'ALARM OL RB', 'Replace battery!'],
      ['nobattery', 'ALARM OL RB', 'No battery installed!'],
      ['trim', 'OL TRIM'],
      ['boost', 'OL BOOST'],
      ['bypassauto', 'ALARM OL BYPASS', 'Automatic bypass mode!'],
      ['bypassman', 'ALARM OL BYPASS', 'Manual bypass mode!'],
      ['ecomode', 'OL ECO'],
      ['essmode', 'OL ESS'],
      ['off', 'OL OFF'],
      ['cal', 'CAL OL'],
      ['overheat', 'ALARM OL', 'Temperature too high!'],
      ['commfault', 'ALARM OL', 'Internal UPS fault!'],
      ['awaitingpower', 'ALARM OL', 'Awaiting power!'],
      ['fanfail', 'ALARM OL', 'Fan failure!'],
      ['battvoltlo', 'ALARM OL', 'Battery voltage too low!'],
      ['battvolthi', 'ALARM OL', 'Battery voltage too high!'],
      ['chargerfail', 'ALARM OL', 'Battery charger fail!'],
      // These only qualify other flags.
      ['depleted', 'OL'],
      ['fullycharged', 'OL'],
      ['vrange', 'OL'],
      ['frange', 'OL'],
    ];
    assert.deepEqual(new Set(table.map(([f]) => f)), new Set(STATUS_FLAGS), 'every flag has a row');
    for (const [flag, expected, alarm] of table) {
      const r = status(['online', flag]);
      assert.equal(r.status, expected, flag);
      assert.deepEqual(r.alarms, alarm ? [alarm] : [], flag);
    }
  });

  test('not online is OB; tokens come in usbhid-ups order', () => {
    assert.equal(status([]).status, 'OB');
    assert.equal(status(['discharging', 'lowbatt']).status, 'OB DISCHRG LB');
    assert.equal(
      status(['cal', 'discharging', 'charging', 'lowbatt', 'overload', 'replacebatt', 'trim', 'boost', 'bypassauto', 'ecomode', 'essmode', 'off']).status,
      'ALARM CAL OB DISCHRG CHRG LB OVER RB TRIM BOOST BYPASS ECO ESS OFF',
    );
  });

  test('depleted hides DISCHRG, fully charged hides CHRG', () => {
    assert.equal(status(['discharging', 'depleted']).status, 'OB');
    assert.equal(status(['online', 'charging', 'fullycharged']).status, 'OL');
  });

  test('alarms keep NUT order and table alarms come first', () => {
    const r = status(['online', 'bypassman', 'replacebatt', 'fanfail'], {}, { alarms: ['Input failure!'] });
    assert.deepEqual(r.alarms, ['Input failure!', 'Replace battery!', 'Fan failure!', 'Manual bypass mode!']);
    assert.equal(r.status, 'ALARM OL RB BYPASS');
  });

  test('input.transfer.reason from the voltage / frequency range flags', () => {
    assert.equal(status(['online', 'vrange']).transferReason, 'input voltage out of range');
    assert.equal(status(['online', 'frange']).transferReason, 'input frequency out of range');
    assert.equal(status(['online', 'vrange', 'frange']).transferReason, 'input voltage out of range');
    assert.equal(status(['online']).transferReason, undefined);
  });

  describe('online and discharging at once', () => {
    test('by default reported as the device says (APC BK650M2 quirk: OL DISCHRG) and flagged for a warning', () => {
      const r = status(['online', 'discharging']);
      assert.equal(r.status, 'OL DISCHRG');
      assert.equal(r.onlineDischarging, true);
      assert.equal(status(['online']).onlineDischarging, false);
    });

    test('no warning while the device itself says it calibrates', () => {
      const r = status(['online', 'discharging', 'cal']);
      assert.equal(r.status, 'CAL OL DISCHRG');
      assert.equal(r.onlineDischarging, false);
    });

    test('onlinedischarge (CyberPower UT) makes it on battery', () => {
      const r = status(['online', 'discharging', 'lowbatt'], { onlineDischarge: true });
      assert.equal(r.status, 'OB DISCHRG LB');
      assert.equal(r.onlineDischarging, false);
      // Without discharging the option changes nothing.
      assert.equal(status(['online', 'charging'], { onlineDischarge: true }).status, 'OL CHRG');
    });

    test('onlinedischarge_calibration makes it a calibration, once', () => {
      assert.equal(status(['online', 'discharging'], { onlineDischargeCalibration: true }).status, 'CAL DISCHRG');
      assert.equal(status(['online', 'discharging', 'cal'], { onlineDischargeCalibration: true }).status, 'CAL DISCHRG');
      assert.equal(status(['online', 'discharging'], { onlineDischargeCalibration: true, onlineDischarge: true }).status, 'CAL OB DISCHRG');
    });
  });

  describe('ignorelb: LB from the limits instead of the device', () => {
    test('the device LB is dropped', () => {
      assert.equal(status(['lowbatt', 'discharging'], { ignoreLowBattery: true }).status, 'OB DISCHRG');
    });
    test('charge below battery.charge.low (strictly) adds LB at the end', () => {
      const opts = { ignoreLowBattery: true };
      assert.equal(status(['discharging', 'off'], opts, { charge: '9', chargeLow: '10' }).status, 'OB DISCHRG OFF LB');
      assert.equal(status(['discharging'], opts, { charge: '10', chargeLow: '10' }).status, 'OB DISCHRG');
    });
    test('runtime below battery.runtime.low adds LB; missing values add nothing', () => {
      const opts = { ignoreLowBattery: true };
      assert.equal(status([], opts, { charge: '80', chargeLow: '10', runtime: '119', runtimeLow: '120' }).status, 'OB LB');
      assert.equal(status([], opts, { charge: '5' }).status, 'OB');
      assert.equal(status([], opts, { runtime: 'x', runtimeLow: '1' }).status, 'OB LB'); // strtol("x") is 0
    });
    test('without the option the limits are not consulted', () => {
      assert.equal(status(['online'], {}, { charge: '1', chargeLow: '10' }).status, 'OL');
    });
  });
});

describe('StatusFlags memory', () => {
  test('set / clear tokens, several at once, unknown ignored, kept until changed', () => {
    const f = new StatusFlags();
    f.apply('online');
    f.apply('charging');
    f.apply('!charging discharging');
    f.apply('bogus !nothing');
    assert.ok(f.has('online'));
    assert.ok(!f.has('charging'));
    assert.ok(f.has('discharging'));
    assert.deepEqual([...f.snapshot()].sort(), ['discharging', 'online']);
    f.set('online', false);
    assert.ok(!f.has('online'));
    f.clear();
    assert.equal(f.snapshot().size, 0);
  });
});
