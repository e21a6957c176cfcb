import type { UpsConfig } from '../../core/config';
import type { Module } from '../../core/module';
import type { DriverDeps } from '../types';
import { DummyDriver, type DummyOptions } from './driver';
import { MemorySource } from './source';

/**
 * The embedded demo: a made-up 1500 VA line-interactive UPS (figures chosen to
 * be plausible, not taken from any real device dump). The first step is the
 * device description and its settings; it runs once. The loop then goes
 * OL -> OB (charge and runtime falling) -> OB LB -> OL CHRG -> OL, about a
 * minute per cycle. Settings are only in the first step, so values set with
 * upsrw stay; the loop only moves the live readings.
 */
export const DEMO_SEQUENCE = `# upsagent embedded demo: a simulated 1500 VA line-interactive UPS.
device.mfr: Demo Power Co.
device.model: LI-1500 Demo
device.serial: DEMO-1500-0001
device.type: ups
ups.mfr: Demo Power Co.
ups.model: LI-1500 Demo
ups.serial: DEMO-1500-0001
ups.firmware: 2.4.1
ups.type: line-interactive
ups.power.nominal: 1500
ups.realpower.nominal: 900
ups.beeper.status: enabled
ups.delay.shutdown: 20
ups.delay.start: 30
ups.timer.shutdown: -1
ups.timer.start: -1
ups.test.result: Done and passed
input.voltage.nominal: 230
input.frequency.nominal: 50
input.transfer.low: 180
input.transfer.high: 266
input.sensitivity: medium
output.voltage.nominal: 230
output.frequency.nominal: 50
battery.type: PbAc
battery.voltage.nominal: 24
battery.charge.low: 20
battery.charge.warning: 35
battery.runtime.low: 180
battery.mfr.date: 2024/03/18
#RW:battery.charge.low:RANGE:"10" "60"
#RW:battery.runtime.low:RANGE:"60" "900"
#RW:ups.delay.shutdown:RANGE:"0" "600"
#RW:ups.delay.start:RANGE:"0" "600"
#RW:input.sensitivity:ENUM:"low"
#RW:input.sensitivity:ENUM:"medium"
#RW:input.sensitivity:ENUM:"high"
#RW:ups.beeper.status:ENUM:"enabled"
#RW:ups.beeper.status:ENUM:"disabled"
#CMD:beeper.disable
#CMD:beeper.enable
#CMD:load.off
#CMD:load.on
#CMD:shutdown.return
#CMD:shutdown.stayoff
#CMD:shutdown.stop
#CMD:test.battery.start.quick
#CMD:test.battery.stop
# Mains present, battery full.
ups.status: OL
ups.load: 28
input.voltage: 231.2
input.frequency: 50.0
output.voltage: 231.2
output.frequency: 50.0
battery.charge: 100
battery.runtime: 1560
battery.voltage: 27.3
TIMER 10
# ---- the loop starts here (step 1) ----
# Mains lost: on battery.
ups.status: OB DISCHRG
ups.load: 29
input.voltage: 0.0
input.frequency: 0.0
output.voltage: 230.0
battery.charge: 88
battery.runtime: 1330
battery.voltage: 25.6
TIMER 4
battery.charge: 71
battery.runtime: 1040
battery.voltage: 25.0
TIMER 4
battery.charge: 52
battery.runtime: 740
battery.voltage: 24.4
TIMER 4
battery.charge: 34
battery.runtime: 460
battery.voltage: 23.8
TIMER 4
# Below battery.charge.low and battery.runtime.low: low battery.
ups.status: OB DISCHRG LB
battery.charge: 17
battery.runtime: 170
battery.voltage: 22.9
TIMER 6
# Mains back: charging.
ups.status: OL CHRG
ups.load: 28
input.voltage: 229.6
input.frequency: 50.0
output.voltage: 229.6
battery.charge: 24
battery.runtime: 370
battery.voltage: 26.1
TIMER 4
battery.charge: 47
battery.runtime: 690
battery.voltage: 26.6
TIMER 4
battery.charge: 71
battery.runtime: 1050
battery.voltage: 27.0
TIMER 4
battery.charge: 92
battery.runtime: 1420
battery.voltage: 27.2
TIMER 4
# Full again.
ups.status: OL
input.voltage: 231.2
output.voltage: 231.2
battery.charge: 100
battery.runtime: 1560
battery.voltage: 27.3
TIMER 10
`;

export const DEMO_UPS_NAME = 'demo';

export interface DemoSetup {
  /** The UPS name clients use: `upsc demo@127.0.0.1`. */
  name: string;
  config: UpsConfig;
  source: MemorySource;
  options: DummyOptions;
  /** For the agent's driver override: the demo driver for the demo UPS, undefined for any other. */
  driverFor(ups: string, cfg: UpsConfig, deps: DriverDeps): Module | undefined;
}

/** Everything `upsagent run --demo` needs; each call builds a fresh source. */
export function demoSetup(): DemoSetup {
  const config: UpsConfig = {
    driver: 'dummy',
    port: 'demo.seq',
    desc: 'Demo UPS (simulated 1500 VA line-interactive)',
    pollInterval: 2,
    mode: 'loop',
  };
  const source = new MemorySource('demo.seq', DEMO_SEQUENCE);
  const options: DummyOptions = { source, declarations: 'apply', loopFrom: 1 };
  return {
    name: DEMO_UPS_NAME,
    config,
    source,
    options,
    driverFor: (ups, cfg, deps) => (ups === DEMO_UPS_NAME ? new DummyDriver(cfg, deps, options) : undefined),
  };
}
