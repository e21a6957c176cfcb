/**
 * upsd.conf -> `server:` (NUT's docs/man/upsd.conf.txt, server/conf.c).
 * Directive names are matched case-sensitively, as upsd does.
 */
import { Notes } from './notes';
import type { NutLine } from './parse';
import { boolean, int } from './values';

export interface ServerImport {
  listen?: string[];
  maxAge?: number;
  maxClients?: number;
  allowNotAllListeners?: boolean;
}

/** Not imported: a CERTFILE the agent cannot read (or an NSS database) would stop its start. */
const TLS_WHY = 'TLS (STARTTLS) is not carried over by the import; set it by hand (docs/install.md, TLS)';

const LEFT_OUT: Record<string, string> = {
  STATEPATH: 'there are no driver sockets: the drivers run inside the agent',
  DATAPATH: 'the agent has no data files (the protocol descriptions are built in)',
  TRACKINGDELAY: 'the agent has no TRACKING of SET/INSTCMD results to expire',
  ALLOW_NO_DEVICE: 'the agent always starts with the UPSes it can, and a config without ups: is one that only monitors',
  DEBUG_MIN: 'use log.level: debug for the agent',
  CERTFILE: `${TLS_WHY}: server.tls.certFile takes this same PEM file (certificate, then key) once the agent's account may read it`,
  CERTPATH: `${TLS_WHY}: this is an NSS database; export the certificate and key into one PEM file (pk12util -o, openssl pkcs12 -nodes) for server.tls.certFile`,
  CERTIDENT: `${TLS_WHY}: the certificate comes from server.tls.certFile`,
  CERTREQUEST: `${TLS_WHY}: the server asks no client certificate`,
  DISABLE_WEAK_SSL: `${TLS_WHY}: server.tls.disableWeak (on by default)`,
  ACCEPT: 'access lists were removed from NUT (2.4); restrict clients with a firewall and server.listen',
  REJECT: 'access lists were removed from NUT (2.4); restrict clients with a firewall and server.listen',
  ACL: 'access lists were removed from NUT (2.4); restrict clients with a firewall and server.listen',
};

/** LISTEN's address and port as one server.listen entry. */
export function listenEntry(host: string, port: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function mapUpsdConf(lines: readonly NutLine[], file: string): { server: ServerImport; notes: Notes } {
  const notes = new Notes(file);
  const server: ServerImport = {};
  const at = ['server'];
  for (const l of lines) {
    const [d, a1, a2] = l.args as [string, string | undefined, string | undefined];
    if (a1 === undefined) {
      notes.skip(l, at, 'NUT ignores a directive without a value');
      continue;
    }
    switch (d) {
      case 'LISTEN': {
        const port = a2 ?? '3493';
        (server.listen ??= []).push(listenEntry(a1, port));
        break;
      }
      case 'MAXAGE': {
        const n = int(a1);
        if (n !== undefined && n >= 1) server.maxAge = n;
        else notes.skip(l, at, 'MAXAGE needs a number of seconds (1 or more)');
        break;
      }
      case 'MAXCONN': {
        const n = int(a1);
        if (n !== undefined && n >= 1) server.maxClients = n;
        else notes.skip(l, at, 'MAXCONN needs a number of connections');
        break;
      }
      case 'ALLOW_NOT_ALL_LISTENERS': {
        const b = int(a1) !== undefined ? int(a1) !== 0 : boolean(a1);
        if (b !== undefined) server.allowNotAllListeners = b;
        else notes.skip(l, at, 'ALLOW_NOT_ALL_LISTENERS needs a boolean');
        break;
      }
      default:
        if (d in LEFT_OUT) notes.skip(l, at, LEFT_OUT[d]!, d === 'CERTIDENT' ? [2] : []);
        else if (d.toUpperCase() in LEFT_OUT || ['LISTEN', 'MAXAGE', 'MAXCONN'].includes(d.toUpperCase())) notes.skip(l, at, `upsd reads directive names in upper case only, so it ignores ${d}; left out likewise`);
        else notes.skip(l, at, 'not a directive upsd knows');
    }
  }
  // upsd without LISTEN listens on localhost, as server.listen's default does.
  if (server.listen === undefined) notes.add(0, at, 'no LISTEN line: upsd listens on localhost only, and so does server.listen by default (127.0.0.1:3493, [::1]:3493)');
  return { server, notes };
}
