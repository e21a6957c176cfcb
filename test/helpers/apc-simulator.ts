/**
 * An APC Smart-UPS of our own, for tests: it answers the Smart protocol
 * the way a 3rd-generation unit does (a Smart-UPS 1000, firmware
 * 652.12.I), over a pty peer or any byte sink. Smart mode with Y, the `a`
 * command set, the ^Z EEPROM table, variables, the Q status byte, EEPROM
 * values cycled with `-` (answered OK, or NO for a value that is not
 * settable), the 8-character strings, the shutdown commands with their
 * rules (K and Z only on the second byte, @ with 3 digits, S only on
 * battery), and the alerts of power events. Every byte it gets is recorded
 * with its time, so tests can compare what two drivers put on the wire.
 *
 * Faults for robustness tests: a one-off reply, an echo of every byte,
 * silence, a reply cut short.
 */
import { DeviceGoneError } from '../../src/drivers/runtime/errors';
import { ReplyBuffer, openSerialPort, type SerialLink } from '../../src/drivers/serial/link';

export interface ReceivedByte {
  byte: string;
  /** ms since the simulator started. */
  at: number;
}

export interface CapsRow {
  cmd: string;
  locale: string;
  values: string[];
}

/** The variables of the simulated unit: command byte -> raw reply. */
export const DEFAULT_VALUES: Readonly<Record<string, string>> = {
  '\x01': 'SMART-UPS 1000',
  B: '27.54',
  C: '029.2',
  E: '336',
  F: '50.00',
  G: 'O',
  L: '229.9',
  M: '231.3',
  N: '228.1',
  O: '229.9',
  P: '018.2',
  T: '048.0',
  X: 'OK',
  b: '652.12.I',
  c: 'UPS_IDEN',
  e: '00',
  f: '100.0',
  g: '024',
  j: '0127:',
  k: '0',
  l: '208',
  m: '05/24/05',
  n: 'AS0521123456',
  o: '230',
  p: '020',
  q: '02',
  r: '000',
  s: 'H',
  u: '253',
  x: '05/24/05',
  '9': 'FF',
};

/** The ^Z table: the I locale's values, one row for another locale (D) that a driver must skip, and the all-locale rows. */
export const DEFAULT_CAPS: readonly CapsRow[] = [
  { cmd: 'u', locale: 'I', values: ['253', '257', '261', '265'] },
  { cmd: 'u', locale: 'D', values: ['127', '130', '133', '136'] },
  { cmd: 'l', locale: 'I', values: ['208', '204', '200', '196'] },
  { cmd: 'e', locale: '4', values: ['00', '15', '50', '90'] },
  { cmd: 'o', locale: 'I', values: ['230'] },
  { cmd: 's', locale: '4', values: ['H', 'M', 'L', 'A'] },
  { cmd: 'q', locale: '4', values: ['02', '05', '07', '10'] },
  { cmd: 'p', locale: '4', values: ['020', '180', '300', '600'] },
  { cmd: 'k', locale: '4', values: ['0', 'T', 'L', 'N'] },
  { cmd: 'r', locale: '4', values: ['000', '060', '180', '300'] },
  { cmd: 'E', locale: '4', values: ['336', '168', 'ON ', 'OFF'] },
];

/** Commands the unit lists in `a`: ^A model, ^N on, ^Z table, and the letters. */
export const DEFAULT_CMDSET = '\x01\x0e\x1a@9ABCDEFGKLMNOPQSTUWXYZabcefgjklmnopqrsuxy~\'-+8';

/**
 * A unit whose answers are known from a report (test/fixtures/apcsmart/*.json): only the variables
 * it answered, the rest NA; `cmdset` null when its `a` gave nothing usable.
 */
export function simulatorFromFixture(fx: { values: Record<string, string>; oldFirmware?: string; cmdset?: string | null }): ApcSimulator {
  const sim = new ApcSimulator({ values: fx.values, cmdset: fx.cmdset === undefined ? null : fx.cmdset, ...(fx.oldFirmware ? { oldFirmware: fx.oldFirmware } : {}) });
  sim.values = { ...fx.values };
  return sim;
}

export function capsString(rows: readonly CapsRow[]): string {
  return '#' + rows.map((r) => `${r.cmd}${r.locale}${String.fromCharCode(48 + r.values.length)}${String.fromCharCode(48 + (r.values[0]?.length ?? 0))}${r.values.join('')}`).join('');
}

export interface SimOptions {
  values?: Record<string, string>;
  caps?: readonly CapsRow[];
  cmdset?: string | null;
  /** Answer to V (old firmware query): NA on 3rd-generation units. */
  oldFirmware?: string;
  /** Status byte at start (default 0x08, on line). */
  status?: number;
  /** Shortest gap the unit accepts between the two bytes of K, Z, ^N (default 1000 ms; drivers wait 1.3 s). */
  repeatMinMs?: number;
}

export const ST = { CAL: 0x01, TRIM: 0x02, BOOST: 0x04, OL: 0x08, OB: 0x10, OVER: 0x20, LB: 0x40, RB: 0x80 } as const;

export class ApcSimulator {
  readonly received: ReceivedByte[] = [];
  /** Commands carried out (K, Z, S, @nnn, ^N, D, W, ...), in order. */
  readonly executed: string[] = [];
  values: Record<string, string>;
  status: number;
  smart = false;
  private readonly caps: readonly CapsRow[];
  private readonly cmdset: string | null;
  private readonly oldFirmware: string;
  private readonly repeatMinMs: number;
  private readonly t0 = Date.now();
  private out: (data: string) => void = () => undefined;
  /** The last variable asked for: `-` cycles it (or starts a string entry). */
  private lastVar: string | null = null;
  /** Collecting the argument of @ or of a string `-`. */
  private collecting: { kind: 'at' | 'string'; target: string; got: string; timer?: NodeJS.Timeout } | null = null;
  /** First byte of K, Z or ^N seen, waiting for the second. */
  private armed: { cmd: string; at: number } | null = null;
  private oneOff = new Map<string, { reply: string; left: number }>();
  echo = false;
  silent = false;
  /** Cut the next reply after this many characters (no line end). */
  truncateNext: number | null = null;

  constructor(opts: SimOptions = {}) {
    this.values = { ...DEFAULT_VALUES, ...opts.values };
    this.caps = opts.caps ?? DEFAULT_CAPS;
    this.cmdset = opts.cmdset === undefined ? DEFAULT_CMDSET : opts.cmdset;
    this.oldFirmware = opts.oldFirmware ?? 'NA';
    this.status = opts.status ?? ST.OL;
    this.repeatMinMs = opts.repeatMinMs ?? 1000;
  }

  /** Where replies go. */
  connect(out: (data: string) => void): void {
    this.out = out;
  }

  /** Replies still to be replaced by random bytes (see garble). */
  private noise = 0;
  private seed = 1;

  /**
   * The next `count` replies are random bytes (any of 0x00-0xff, with
   * line ends, alert characters and `*` among them), from a fixed seed so a
   * failure can be replayed.
   */
  garble(count: number, seed = 1): void {
    this.noise = count;
    this.seed = seed;
  }

  private random(): number {
    // xorshift32: small, deterministic.
    let x = this.seed || 1;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed / 0x100000000;
  }

  private noiseReply(): string {
    const special = '\r\n!$%+#?=*|&.,:0123456789';
    let out = '';
    const n = Math.floor(this.random() * 14);
    for (let i = 0; i < n; i++) out += this.random() < 0.4 ? special[Math.floor(this.random() * special.length)] : String.fromCharCode(Math.floor(this.random() * 256));
    return this.random() < 0.7 ? `${out}\r\n` : out;
  }

  /** The next `times` replies to this command byte are `reply` instead (garbage, an echo, NA). */
  replyOnce(cmd: string, reply: string, times = 1): void {
    this.oneOff.set(cmd, { reply, left: times });
  }

  /** Bytes received since `since` (ms), as one string. */
  wire(since = 0): string {
    return this.received
      .filter((r) => r.at >= since)
      .map((r) => r.byte)
      .join('');
  }

  /** Bytes received after the first `index` ones (index: `received.length` taken earlier). */
  since(index: number): string {
    return this.received
      .slice(index)
      .map((r) => r.byte)
      .join('');
  }

  now(): number {
    return Date.now() - this.t0;
  }

  // ---------------------------------------------------------------- power events

  /** The unsolicited alert character, as the unit sends it on the event. */
  alert(ch: string): void {
    this.out(ch);
  }
  onBattery(): void {
    this.status = (this.status & ~ST.OL) | ST.OB;
    this.values.G = 'L';
    this.alert('!');
  }
  lowBattery(): void {
    this.status |= ST.LB;
    this.values.f = '010.0';
    this.values.j = '0002:';
    this.alert('%');
  }
  powerBack(): void {
    const wasLow = (this.status & ST.LB) !== 0;
    this.status = (this.status & ~(ST.OB | ST.LB)) | ST.OL;
    this.alert('$');
    if (wasLow) this.alert('+');
  }
  online(): void {
    this.status = ST.OL;
  }

  // ---------------------------------------------------------------- protocol

  private reply(text: string): void {
    if (this.truncateNext !== null) {
      const n = this.truncateNext;
      this.truncateNext = null;
      this.out(text.slice(0, n));
      return;
    }
    this.out(`${text}\r\n`);
  }

  /** Bytes from the driver. */
  input(data: Buffer | string): void {
    const text = typeof data === 'string' ? data : data.toString('latin1');
    for (const ch of text) {
      this.received.push({ byte: ch, at: this.now() });
      if (this.echo) this.out(ch);
      if (this.silent) continue;
      if (this.noise > 0 && !this.collecting && ch !== '\x1b') {
        this.noise--;
        this.out(this.noiseReply());
        continue;
      }
      this.handle(ch);
    }
  }

  private caps4(cmd: string): string[] | undefined {
    const loc = (this.values.b ?? '').slice(-1);
    return this.caps.find((r) => r.cmd === cmd && (r.locale === loc || r.locale === '4'))?.values;
  }

  private handle(ch: string): void {
    if (this.collecting) {
      this.collectArg(ch);
      return;
    }
    if (!this.smart) {
      if (ch === 'Y') {
        this.smart = true;
        this.reply('SM');
      }
      return;
    }
    const once = this.oneOff.get(ch);
    if (once !== undefined) {
      if (--once.left <= 0) this.oneOff.delete(ch);
      this.reply(once.reply);
      return;
    }
    const armed = this.armed;
    this.armed = null;
    switch (ch) {
      case 'Y':
        this.reply('SM');
        return;
      case '\x1b':
        return;
      case 'R':
        this.smart = false;
        this.reply('BYE');
        return;
      case 'Q':
        this.reply(this.status.toString(16).toUpperCase().padStart(2, '0'));
        return;
      case 'a':
        if (this.cmdset === null) this.reply('NA');
        else this.reply(`3.!$%+?=#|.${this.cmdset}`);
        return;
      case '\x1a':
        this.reply(capsString(this.caps));
        return;
      case 'V':
        this.reply(this.oldFirmware);
        return;
      case '-':
        this.next();
        return;
      case 'K':
      case 'Z':
      case '\x0e':
        if (armed && armed.cmd === ch && Date.now() - armed.at >= this.repeatMinMs) {
          this.executed.push(ch === '\x0e' ? '^N' : ch);
          if (ch === 'K') this.reply('OK');
          if (ch === 'Z') this.status = 0;
        } else {
          // The first byte: nothing said, waiting for the second.
          this.armed = { cmd: ch, at: Date.now() };
        }
        return;
      case 'S':
        if (this.status & ST.OB) {
          this.executed.push('S');
          this.reply('OK');
        } else this.reply('NO');
        return;
      case '@':
        this.collecting = { kind: 'at', target: '@', got: '' };
        this.collecting.timer = setTimeout(() => {
          this.collecting = null;
        }, 2000);
        return;
      case 'A':
      case 'U':
      case 'W':
        this.executed.push(ch);
        if (ch === 'U') this.values.G = 'S';
        this.reply('OK');
        return;
      case 'D':
        this.executed.push('D');
        this.status ^= ST.CAL;
        this.reply('OK');
        return;
    }
    const v = this.values[ch];
    if (v !== undefined) {
      this.lastVar = ch;
      this.reply(v);
      return;
    }
    this.reply('NA');
  }

  /** `-` after a variable: the next EEPROM choice (OK), a string entry (c, x), or NO. */
  private next(): void {
    const target = this.lastVar;
    if (target === 'c' || target === 'x') {
      this.collecting = { kind: 'string', target, got: '' };
      return;
    }
    const choices = target ? this.caps4(target) : undefined;
    if (!target || !choices || choices.length < 2) {
      this.reply('NO');
      return;
    }
    const i = choices.indexOf(this.values[target]!);
    this.values[target] = choices[(i + 1) % choices.length]!;
    this.reply('OK');
  }

  private collectArg(ch: string): void {
    const c = this.collecting!;
    c.got += ch;
    if (c.kind === 'at' && c.got.length === 3) {
      clearTimeout(c.timer);
      this.collecting = null;
      if (!/^\d{3}$/.test(c.got)) {
        this.reply('NO');
        return;
      }
      this.executed.push(`@${c.got}`);
      this.reply('OK');
    } else if (c.kind === 'string' && c.got.length === 8) {
      this.collecting = null;
      this.values[c.target] = c.got.replace(/\r+$/, '');
      this.reply('OK');
    }
  }
}

/** A simulator on the peer end of a pty pair (test/helpers/pty-pair.ts), talking through our serial link. */
export async function attachToPty(sim: ApcSimulator, peer: string): Promise<SerialLink> {
  const link = await openSerialPort(peer, { baudRate: 2400 });
  link.onUnsolicited((d) => sim.input(d));
  sim.connect((data) => {
    if (link.isOpen) void link.write(Buffer.from(data, 'latin1')).catch(() => undefined);
  });
  return link;
}

/** An in-memory serial link to a simulator (no pty): unit tests, and the modem lines a pty cannot carry. */
export function simLink(sim: ApcSimulator, path = '/dev/ttyFAKE'): SerialLink & { lines: Array<Record<string, boolean | undefined>>; unplug(): void } {
  const rb = new ReplyBuffer();
  let open = true;
  const lines: Array<Record<string, boolean | undefined>> = [];
  sim.connect((data) => {
    if (open) setImmediate(() => open && rb.push(Buffer.from(data, 'latin1')));
  });
  const gone = (): DeviceGoneError => new DeviceGoneError(`${path}: the port is closed`);
  return {
    path,
    lines,
    get isOpen() {
      return open;
    },
    write(data) {
      if (!open) return Promise.reject(gone());
      const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
      setImmediate(() => sim.input(b));
      return Promise.resolve();
    },
    read(end, timeoutMs, signal) {
      if (!open) return Promise.reject(gone());
      return rb.read(end, timeoutMs, `read from ${path}`, signal);
    },
    drain: () => rb.drain(),
    onUnsolicited: (fn) => rb.onUnsolicited(fn),
    setLines(l) {
      lines.push({ ...l });
      return Promise.resolve();
    },
    getLines: () => Promise.resolve({ cts: false, dsr: false, dcd: false, ri: null }),
    close() {
      open = false;
      return Promise.resolve();
    },
    unplug() {
      open = false;
    },
  };
}
