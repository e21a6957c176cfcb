/**
 * `listen:` entries (`host:port`, `[v6]:port`, `host`, `*`), shared by every
 * module that opens a listening socket (the NUT server, the HTTP listener):
 * each passes its own default port.
 */
import { list, refine, str, type Schema } from './schema';

export interface ListenAddress {
  host: string;
  port: number;
}

/** Parses one entry; a string is the problem, in words. */
export function parseListenAddress(text: string, defaultPort: number): ListenAddress | string {
  let host: string;
  let port = String(defaultPort);
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(text);
  if (v6) {
    host = v6[1]!;
    if (v6[2] !== undefined) port = v6[2];
  } else {
    const parts = text.split(':');
    if (parts.length > 2) return `${JSON.stringify(text)} has more than one ":"; write IPv6 addresses in brackets, e.g. "[::1]:${defaultPort}"`;
    host = parts[0]!;
    if (parts[1] !== undefined) port = parts[1];
  }
  if (host === '') return `${JSON.stringify(text)} has no host; use "127.0.0.1:${defaultPort}", "[::1]:${defaultPort}" or "*:${defaultPort}" for every address`;
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
    return `${JSON.stringify(text)} has port ${JSON.stringify(port)}; a port is a number from 0 to 65535 (0: any free port)`;
  }
  if (host === '*') host = '::';
  return { host, port: Number(port) };
}

/** A `listen:` list: at least one entry, no entry twice, each one parseable. */
export function listenListSchema(defaultPort: number): Schema<string[]> {
  return refine(list(str({ minLength: 1 }), { minItems: 1, unique: true }), (items, path, issues) => {
    items.forEach((item, i) => {
      const r = parseListenAddress(item, defaultPort);
      if (typeof r === 'string') issues.push({ path: `${path}[${i}]`, message: r });
    });
  });
}
