/**
 * The command table: first word of a request -> handler, matched
 * case-insensitively, with upsd 2.8.0's rules around it:
 *
 * - an unknown first word (or an empty line) is ERR UNKNOWN-COMMAND;
 * - LOGIN, PRIMARY, MASTER, FSD, SET and INSTCMD need USERNAME and PASSWORD
 *   first (ERR USERNAME-REQUIRED, then ERR PASSWORD-REQUIRED), checked before
 *   anything else, even the argument count; the credentials themselves are
 *   only checked by the command (ERR ACCESS-DENIED);
 * - USERNAME and PASSWORD always answer OK the first time.
 */
import { handleGet, handleList } from './queries';
import { ERR, HELP_TEXT, OK, PROTOCOL_VERSION } from './replies';
import type { Reply, ServerContext, Session } from './session';
import { handleInstcmd, handleSet } from './writes';

type Handler = (ctx: ServerContext, s: Session, args: readonly string[]) => Reply | Promise<Reply>;

interface Command {
  run: Handler;
  /** upsd's FLAG_USER: USERNAME and PASSWORD must have been given. */
  needsUser: boolean;
}

function noArgs(text: string): Handler {
  return (_ctx, _s, args) => (args.length ? ERR['INVALID-ARGUMENT'] : text);
}

const ver: Handler = (ctx, _s, args) => (args.length ? ERR['INVALID-ARGUMENT'] : `${ctx.verText}\n`);

function credential(field: 'username' | 'password', already: 'ALREADY-SET-USERNAME' | 'ALREADY-SET-PASSWORD'): Handler {
  return (_ctx, s, args) => {
    if (args.length !== 1) return ERR['INVALID-ARGUMENT'];
    if (s[field] !== undefined) return ERR[already];
    s[field] = args[0]!;
    return OK;
  };
}

const login: Handler = (ctx, s, args) => {
  if (args.length !== 1) return ERR['INVALID-ARGUMENT'];
  if (s.loginUps !== undefined) return ERR['ALREADY-LOGGED-IN'];
  const view = ctx.store.get(args[0]!);
  if (!view) return ERR['UNKNOWN-UPS'];
  if (!ctx.users.mayDo(s.username, s.password, 'LOGIN')) return ERR['ACCESS-DENIED'];
  ctx.sessions.login(s, view.name);
  ctx.log.info(`user ${s.username}@${s.addr} logged into UPS [${view.name}]${s.tls === 'on' ? ' (SSL)' : ''}`);
  return OK;
};

const logout: Handler = (ctx, s, args) => {
  if (args.length) return ERR['INVALID-ARGUMENT'];
  if (s.loginUps !== undefined) ctx.log.info(`user ${s.username}@${s.addr} logged out from UPS [${s.loginUps}]`);
  s.logout = true;
  return 'OK Goodbye\n';
};

/** PRIMARY and MASTER are one check (upsmon primary) answered in the spelling asked. */
function primary(granted: string): Handler {
  return (ctx, s, args) => {
    if (args.length !== 1) return ERR['INVALID-ARGUMENT'];
    if (!ctx.store.get(args[0]!)) return ERR['UNKNOWN-UPS'];
    if (!ctx.users.mayDo(s.username, s.password, 'PRIMARY')) return ERR['ACCESS-DENIED'];
    return `OK ${granted}\n`;
  };
}

const fsd: Handler = (ctx, s, args) => {
  if (args.length !== 1) return ERR['INVALID-ARGUMENT'];
  const view = ctx.store.get(args[0]!);
  if (!view) return ERR['UNKNOWN-UPS'];
  if (!ctx.users.mayDo(s.username, s.password, 'FSD')) return ERR['ACCESS-DENIED'];
  ctx.log.info(`client ${s.username}@${s.addr} set FSD on UPS [${view.name}]`);
  ctx.store.latchFsd(view.name, s.username ?? '');
  return 'OK FSD-SET\n';
};

/**
 * upsd's net_starttls (arguments ignored, as upsd does): without a
 * certificate, clients (upsc, upsmon) carry on in plain text after the
 * error; with one, the OK goes out in clear and the connection does the
 * handshake next (tls.ts).
 */
const starttls: Handler = (ctx, s) => {
  if (s.tls) return ERR['ALREADY-SSL-MODE'];
  if (!ctx.tls) return ERR['FEATURE-NOT-CONFIGURED'];
  s.tls = 'starting';
  return 'OK STARTTLS\n';
};

const COMMANDS = new Map<string, Command>([
  ['VER', { run: ver, needsUser: false }],
  ['NETVER', { run: noArgs(`${PROTOCOL_VERSION}\n`), needsUser: false }],
  ['PROTVER', { run: noArgs(`${PROTOCOL_VERSION}\n`), needsUser: false }],
  ['HELP', { run: noArgs(HELP_TEXT), needsUser: false }],
  ['STARTTLS', { run: starttls, needsUser: false }],
  ['GET', { run: handleGet, needsUser: false }],
  ['LIST', { run: handleList, needsUser: false }],
  ['USERNAME', { run: credential('username', 'ALREADY-SET-USERNAME'), needsUser: false }],
  ['PASSWORD', { run: credential('password', 'ALREADY-SET-PASSWORD'), needsUser: false }],
  ['LOGIN', { run: login, needsUser: true }],
  ['LOGOUT', { run: logout, needsUser: false }],
  ['PRIMARY', { run: primary('PRIMARY-GRANTED'), needsUser: true }],
  ['MASTER', { run: primary('MASTER-GRANTED'), needsUser: true }],
  ['FSD', { run: fsd, needsUser: true }],
  ['SET', { run: handleSet, needsUser: true }],
  ['INSTCMD', { run: handleInstcmd, needsUser: true }],
]);

/** Runs one request (its words as parsed; `args` is words without the first, when already at hand) and returns the reply. */
export function runCommand(ctx: ServerContext, s: Session, words: readonly string[], args: readonly string[] = words.slice(1)): Reply | Promise<Reply> {
  const name = words[0];
  // Clients send the names in capitals; only other spellings pay for toUpperCase.
  const cmd = name === undefined ? undefined : (COMMANDS.get(name) ?? COMMANDS.get(name.toUpperCase()));
  if (!cmd) return ERR['UNKNOWN-COMMAND'];
  if (!cmd.needsUser) return cmd.run(ctx, s, args);
  if (s.username === undefined) return ERR['USERNAME-REQUIRED'];
  if (s.password === undefined) return ERR['PASSWORD-REQUIRED'];
  // An address that kept failing waits before any check, right or wrong: a fast answer would tell a guess was right.
  const wait = ctx.logins.delayFor(s.addr);
  if (wait > 0) return ctx.logins.sleep(wait).then(() => runChecked(ctx, s, cmd, words, args));
  return runChecked(ctx, s, cmd, words, args);
}

/** A command that needs credentials; a refusal is logged (and counted when the credentials were wrong). */
function runChecked(ctx: ServerContext, s: Session, cmd: Command, words: readonly string[], args: readonly string[]): Reply | Promise<Reply> {
  const reply = cmd.run(ctx, s, args);
  // Every refusal is decided before a driver is asked, so it is never a promise.
  if (reply === ERR['ACCESS-DENIED']) ctx.logins.denied(s, words[0]!.toUpperCase());
  else ctx.logins.allowed(s);
  return reply;
}

/** A request as it may appear in a log: the password replaced. */
export function loggable(words: readonly string[]): string {
  if (words[0]?.toUpperCase() === 'PASSWORD') return 'PASSWORD ***';
  return words.join(' ');
}
