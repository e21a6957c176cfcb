/**
 * NUT 2.8.0's genericups upstab[] (drivers/genericups.h) transcribed as raw
 * TIOCM numbers, so tests can check our cable table (src/drivers/genericups)
 * against NUT's without NUT's source on the machine.
 */

/** Linux <asm-generic/termios.h> TIOCM_* bits, as genericups.h uses them. */
export const TIOCM = { DTR: 0x002, RTS: 0x004, ST: 0x008, CTS: 0x020, CD: 0x040, RNG: 0x080, DSR: 0x100 } as const;
export const { DTR, RTS, ST, CTS, CD, RNG, DSR } = TIOCM;

export interface RawRow {
  mfr: string;
  model: string;
  norm: number;
  ol: [number, number];
  bl: [number, number];
  rb: [number, number];
  bypass: [number, number];
  sd: number;
}

const row = (mfr: string, model: string, norm: number, ol: [number, number], bl: [number, number], sd: number, rb: [number, number] = [0, 0], bypass: [number, number] = [0, 0]): RawRow => ({
  mfr,
  model,
  norm,
  ol,
  bl,
  rb,
  bypass,
  sd,
});

/** upstab[] of NUT 2.8.0 drivers/genericups.h, transcribed as numbers. */
export const UPSTAB: RawRow[] = [
  row('UPSONIC', 'LAN Saver 600', DTR | RTS, [CTS, 0], [CD, CD], RTS),
  row('APC', 'Back-UPS', DTR, [RNG, 0], [CD, CD], RTS),
  row('APC', 'Back-UPS', RTS, [CTS, 0], [CD, CD], DTR | RTS),
  row('PowerTech', 'Comp1000', DTR, [CTS, 0], [CD, CD], DTR | RTS),
  row('Generic', 'Generic RUPS model', RTS, [CTS, CTS], [CD, 0], 0),
  row('TrippLite', 'Internet Office Series', DTR, [CTS, CTS], [CD, 0], DTR | RTS),
  row('Best', 'Patriot', DTR, [CTS, CTS], [CD, 0], RTS),
  row('CyberPower', 'Power99', RTS, [CTS, CTS], [CD, 0], DTR),
  row('Nitram', 'Elite UPS', DTR, [CTS, CTS], [CD, 0], -1),
  row('APC', 'Back-UPS', 0, [CD, 0], [CTS, CTS], RTS),
  row('Victron', 'Lite', RTS, [CTS, CTS], [CD, 0], DTR),
  row('Powerware', '3115', DTR, [CTS, 0], [CD, 0], ST),
  row('APC', 'Back-UPS Office', RTS, [CTS, 0], [CD, CD], DTR),
  row('RPT', 'Repoteck', DTR | RTS, [CD, CD], [CTS, 0], ST),
  row('Online', 'P250, P500, P750, P1250', DTR, [CD, CD], [CTS, 0], RTS),
  row('Powerware', '5119', DTR, [CTS, CTS], [CD, 0], ST),
  row('Nitram', 'Elite UPS', DTR | RTS, [CTS, CTS], [CD, 0], -1),
  row('PowerKinetics', '9001', DTR, [CTS, CTS], [CD, 0], -1),
  row('TrippLite', 'Omni 450LAN', DTR, [CTS, CTS], [CD, CD], -1),
  row('Fideltronik', 'Ares Series', DTR, [CTS, CTS], [CD, 0], RTS),
  row('Powerware', '5119 RM', DTR, [CTS, 0], [CD, CD], ST),
  row('Generic', 'Generic RUPS 2000', RTS, [CTS, CTS], [CD, 0], RTS | DTR),
  row('Gamatronic Electronic Industries', 'Generic Alarm UPS', RTS, [CTS, CTS], [CD, 0], DTR),
  row('Generic', 'Generic FTTx Battery Backup', RTS, [CTS, CTS], [CD, 0], 0, [RNG, 0], [DSR, 0]),
];
