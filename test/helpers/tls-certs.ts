/**
 * Test certificates made with the openssl program in a scratch folder: a CA,
 * a server certificate it signed for 127.0.0.1 / ::1 / localhost, and a
 * second CA that signed nothing of ours (the "wrong CA"). Also NSS
 * databases (certutil, pk12util) for Debian's NUT, which is built with NSS:
 * its upsmon's CERTPATH and its upsd's CERTPATH are NSS database folders,
 * not PEM files.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCerts {
  dir: string;
  /** The CA that signed the server certificate. */
  caFile: string;
  /** A CA that signed nothing here. */
  otherCaFile: string;
  /** Server certificate (PEM) alone, and its key alone. */
  certFile: string;
  keyFile: string;
  /** Certificate then key in one file: upsd's CERTFILE (OpenSSL build). */
  pemFile: string;
  /** A self-signed certificate + key for 127.0.0.1 (no CA). */
  selfSignedPem: string;
  /** A second key that belongs to no certificate here. */
  strayKeyFile: string;
  cleanup(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

export function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function nssToolsAvailable(): boolean {
  return existsSync('/usr/bin/certutil') && existsSync('/usr/bin/pk12util');
}

/** Makes the CA, the server certificate and the rest in a new folder (EC P-256 keys: quick to make). */
export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'upsagent-tls-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=upsagent test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  openssl(['req', '-x509', ...ec, '-keyout', 'other-ca.key', '-out', 'other-ca.pem', '-days', '30', '-subj', '/CN=some other CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  openssl(['req', '-new', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
  writeFileSync(
    join(dir, 'server.ext'),
    'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '30', '-extfile', 'server.ext'], dir);
  openssl(['req', '-x509', ...ec, '-keyout', 'self.key', '-out', 'self.crt', '-days', '30', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], dir);
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'stray.key'], dir);
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  writeFileSync(join(dir, 'upsd.pem'), read('server.crt') + read('server.key'), { mode: 0o600 });
  writeFileSync(join(dir, 'self.pem'), read('self.crt') + read('self.key'), { mode: 0o600 });
  for (const f of ['server.key', 'self.key', 'stray.key', 'ca.key', 'other-ca.key']) chmodSync(join(dir, f), 0o600);
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    otherCaFile: join(dir, 'other-ca.pem'),
    certFile: join(dir, 'server.crt'),
    keyFile: join(dir, 'server.key'),
    pemFile: join(dir, 'upsd.pem'),
    selfSignedPem: join(dir, 'self.pem'),
    strayKeyFile: join(dir, 'stray.key'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * An NSS database (what NUT's NSS build calls CERTPATH) in `dir`, trusting
 * `caFile` as a CA for servers. Empty database password.
 */
export function makeNssTrustDb(dir: string, caFile: string): string {
  mkdirSync(dir, { recursive: true });
  const db = `sql:${dir}`;
  execFileSync('certutil', ['-N', '-d', db, '--empty-password'], { stdio: ['ignore', 'ignore', 'pipe'] });
  execFileSync('certutil', ['-A', '-d', db, '-n', 'upsagent-test-ca', '-t', 'CT,C,C', '-i', caFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  return dir;
}

/**
 * An NSS database holding the server certificate and its key under
 * `nickname` (real upsd's CERTPATH + CERTIDENT), and trusting the CA.
 */
export function makeNssServerDb(dir: string, certs: TestCerts, nickname: string): string {
  makeNssTrustDb(dir, certs.caFile);
  const p12 = join(certs.dir, `${nickname}.p12`);
  openssl(['pkcs12', '-export', '-in', certs.certFile, '-inkey', certs.keyFile, '-name', nickname, '-out', p12, '-passout', 'pass:p12pass'], certs.dir);
  execFileSync('pk12util', ['-i', p12, '-d', `sql:${dir}`, '-W', 'p12pass', '-K', ''], { stdio: ['ignore', 'ignore', 'pipe'] });
  return dir;
}
