/**
 * Receivers the notification tests start on loopback: an HTTP webhook
 * receiver that can fail its first requests, and an SMTP server
 * (smtp-server) with a self-signed certificate made with openssl, that
 * checks a login and can refuse its first messages.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export const SMTP_USER = 'ups';
export const SMTP_PASSWORD = 'smtp-Pa55-word';

export interface Hit {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver that answers `failFirst` requests with 503, then 204. */
export async function receiver(failFirst = 0): Promise<{ server: Server; url: string; hits: Hit[] }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hits.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (hits.length <= failFirst) {
        res.writeHead(503).end('busy, try later');
      } else res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, hits };
}

export interface Mail {
  raw: string;
  secure: boolean;
  user?: string;
}

export function certificate(dir: string): { key: string; cert: string; certFile: string } {
  const key = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', certFile, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}

export async function smtp(opts: { key: string; cert: string; failFirst?: number; extra?: Partial<SMTPServerOptions> }): Promise<{ server: SMTPServer; port: number; mails: Mail[]; logins: Array<{ user: string; secure: boolean }>; attempts: () => number }> {
  const mails: Mail[] = [];
  const logins: Array<{ user: string; secure: boolean }> = [];
  let attempts = 0;
  const server = new SMTPServer({
    key: opts.key,
    cert: opts.cert,
    logger: false,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, session, cb) {
      logins.push({ user: auth.username ?? '', secure: session.secure });
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) cb(null, { user: SMTP_USER });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString()));
      stream.on('end', () => {
        attempts++;
        if (attempts <= (opts.failFirst ?? 0)) {
          cb(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }));
          return;
        }
        mails.push({ raw, secure: session.secure, user: typeof session.user === 'string' ? session.user : undefined });
        cb(null);
      });
    },
    ...opts.extra,
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.server.address() as { port: number }).port;
  return { server, port, mails, logins, attempts: () => attempts };
}

