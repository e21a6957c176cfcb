/**
 * A real Mosquitto broker (Debian's mosquitto) for the MQTT tests: on
 * loopback, a free port, no persistence (so a restart loses every retained
 * message, the worst case for "re-published on reconnect"), optionally with
 * a password file. restart() keeps the port.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';

export const MOSQUITTO = '/usr/sbin/mosquitto';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

export class Mosquitto {
  private proc: ChildProcess | null = null;
  readonly dir: string;
  output = '';

  private constructor(
    readonly port: number,
    private readonly users?: Record<string, string>,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'upsagent-mosq-'));
    chmodSync(this.dir, 0o755);
    const lines = [`listener ${port} 127.0.0.1`, 'persistence false', 'log_dest stderr', 'log_type error', 'log_type warning', 'log_type notice', 'log_type information'];
    if (users) {
      const pw = join(this.dir, 'passwd');
      writeFileSync(pw, '');
      for (const [u, p] of Object.entries(users)) execFileSync('/usr/bin/mosquitto_passwd', ['-b', pw, u, p]);
      chmodSync(pw, 0o644);
      lines.push('allow_anonymous false', `password_file ${pw}`);
    } else {
      lines.push('allow_anonymous true');
    }
    // Started as root, mosquitto drops to the mosquitto account; stay as we are instead.
    if (process.getuid?.() === 0) lines.push('user root');
    writeFileSync(join(this.dir, 'mosquitto.conf'), `${lines.join('\n')}\n`);
  }

  static async start(opts: { users?: Record<string, string> } = {}): Promise<Mosquitto> {
    const m = new Mosquitto(await freePort(), opts.users);
    await m.run();
    return m;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  private async run(): Promise<void> {
    const proc = spawn(MOSQUITTO, ['-c', join(this.dir, 'mosquitto.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    proc.stdout?.on('data', (c: Buffer) => (this.output += c.toString()));
    proc.stderr?.on('data', (c: Buffer) => (this.output += c.toString()));
    const end = Date.now() + 10_000;
    while (!(await canConnect(this.port))) {
      if (proc.exitCode !== null) throw new Error(`mosquitto exited ${proc.exitCode}: ${this.output}`);
      if (Date.now() > end) throw new Error(`mosquitto did not listen on ${this.port}: ${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops the broker; every retained message is lost (no persistence). */
  async halt(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
  }

  async restart(): Promise<void> {
    await this.halt();
    await this.run();
  }

  async stop(): Promise<void> {
    await this.halt();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

interface Seen {
  topic: string;
  payload: string;
  retain: boolean;
}

/** A test's own MQTT client: records every message under a filter, waits for a topic/payload. */
export class Watcher {
  readonly messages: Seen[] = [];
  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => this.messages.push({ topic, payload: payload.toString(), retain: packet.retain }));
  }

  static async connect(url: string, filter: string | string[] = '#', opts: { username?: string; password?: string } = {}): Promise<Watcher> {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, ...opts });
    const w = new Watcher(client);
    await client.subscribeAsync(filter, { qos: 1 });
    return w;
  }

  /** The last payload seen on a topic. */
  last(topic: string): string | undefined {
    for (let i = this.messages.length - 1; i >= 0; i--) if (this.messages[i]!.topic === topic) return this.messages[i]!.payload;
    return undefined;
  }

  topics(prefix: string): string[] {
    return [...new Set(this.messages.filter((m) => m.topic.startsWith(prefix)).map((m) => m.topic))];
  }

  async waitFor(topic: string, match: (payload: string) => boolean = () => true, ms = 15_000, from = 0): Promise<string> {
    const end = Date.now() + ms;
    for (;;) {
      const hit = this.messages.slice(from).find((m) => m.topic === topic && match(m.payload));
      if (hit) return hit.payload;
      if (Date.now() > end) throw new Error(`no message on ${topic} matching within ${ms} ms; last: ${JSON.stringify(this.last(topic))}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async publish(topic: string, payload: string, retain = false): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: 1, retain });
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
