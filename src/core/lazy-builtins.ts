/**
 * Node built-ins that most runs never need, required on first use.
 *
 * Why: each built-in required at start stays resident for the life of the
 * daemon (its source and code in the binary's pages, its objects in the
 * heap). node:tls is about 4 MB and only STARTTLS or a certificate needs
 * it; node:crypto is about 1.7 MB, and an agent that serves no certificate
 * and nobody logs in to never calls it; v8/vm serve only the collection
 * after a flood.
 */
type Crypto = typeof import('node:crypto');
type Tls = typeof import('node:tls');
type V8 = typeof import('node:v8');
type Vm = typeof import('node:vm');

let crypto: Crypto | undefined;
let tls: Tls | undefined;
let v8: V8 | undefined;
let vm: Vm | undefined;

/* eslint-disable @typescript-eslint/no-require-imports -- synchronous loads on first use: the callers are synchronous */
export const nodeCrypto = (): Crypto => (crypto ??= require('node:crypto') as Crypto);
export const nodeTls = (): Tls => (tls ??= require('node:tls') as Tls);
export const nodeV8 = (): V8 => (v8 ??= require('node:v8') as V8);
export const nodeVm = (): Vm => (vm ??= require('node:vm') as Vm);
/* eslint-enable @typescript-eslint/no-require-imports */
