/**
 * upsagent's command line. Only yargs is loaded up front; every command
 * imports what it needs when it runs, so `upsagent --help` stays fast.
 */
import { handleClosedOutput, processIO } from './io';
import { VERSION } from './version';

/**
 * Mirrors core's DEFAULT_CONFIG_PATH; not imported, so `--help` loads nothing but yargs.
 * UPSAGENT_CONFIG names another default (tests, a user's own install).
 */
const DEFAULT_CONFIG = process.env.UPSAGENT_CONFIG || '/etc/upsagent/upsagent.yaml';

/** NUT's own tools keep their getopt-style arguments, so they bypass yargs entirely. */
const NUT_TOOLS: Record<string, string> = {
  upsc: 'list UPSes and read variables, as NUT upsc does',
  upsrw: 'list and set writable variables, as NUT upsrw does',
  upscmd: 'list and run instant commands, as NUT upscmd does',
};

async function runNutTool(tool: string, args: string[]): Promise<number> {
  const io = processIO();
  switch (tool) {
    case 'upsc':
      return (await import('./commands/upsc')).runUpsc(args, io);
    case 'upsrw':
      return (await import('./commands/upsrw')).runUpsrw(args, io);
    default:
      return (await import('./commands/upscmd')).runUpscmd(args, io);
  }
}

export async function main(argv: string[]): Promise<number> {
  // `upsagent upsc ups | head -1`: end quietly when the reader goes away.
  handleClosedOutput('exit');
  const [first, ...rest] = argv;
  if (first !== undefined && first in NUT_TOOLS) return runNutTool(first, rest);
  // Started by `run` itself, never listed: the root half of the privilege split (see src/privilege).
  if (first === 'privileged-helper' && rest.length === 0) return (await import('../privilege/helper-main')).runHelperProcess();

  const { default: yargs } = await import('yargs');
  let exitCode = 0;
  const setExit = (code: number): void => {
    exitCode = code;
  };
  const parser = yargs(argv)
    .scriptName('upsagent')
    .usage('upsagent: a UPS agent that speaks the Network UPS Tools protocol\n\nUsage: $0 <command> [options]')
    .version(VERSION)
    .alias('v', 'version')
    .help()
    .alias('h', 'help')
    .strict()
    // --help and --version return instead of exiting, so a closed stdout is seen (exit 141) like any command's.
    .exitProcess(false)
    .demandCommand(1, 'Name a command; see upsagent --help.')
    .command(
      'run',
      'run the agent: drivers and the NUT server',
      (y) =>
        y
          .option('config', { alias: 'c', type: 'string', describe: `configuration file (default ${DEFAULT_CONFIG}; when there is none and no --config, an automatic configuration: see upsagent init)` })
          .option('demo', { type: 'boolean', describe: 'run the embedded demo UPS instead of a configuration file' })
          .option('listen', { type: 'string', array: true, describe: 'address to listen on (host:port), overrides server.listen' })
          .option('log-level', { choices: ['error', 'warn', 'info', 'debug'] as const, describe: 'overrides log.level' })
          .option('user', { alias: 'u', type: 'string', describe: 'account to run as once ports and devices are open (overrides run.user; root = stay root)' })
          .option('pid-file', { type: 'string', describe: 'write the pid here, for `upsagent reload` (default: /run/upsagent/upsagent.pid when root with the default configuration)' }),
      async (a) => {
        // The daemon keeps protecting the host when whatever read its console goes away.
        handleClosedOutput('ignore');
        // No --config and no file at the default path: the automatic run (commands/auto-run.ts).
        const auto = a.config === undefined && a.demo !== true && !(await import('node:fs')).existsSync(DEFAULT_CONFIG);
        setExit(
          await (await import('./commands/run')).runAgent({ config: a.config ?? DEFAULT_CONFIG, auto, demo: a.demo === true, listen: a.listen, logLevel: a['log-level'], user: a.user, pidFile: a['pid-file'] }),
        );
      },
    )
    .command(
      'reload',
      'check the configuration file, then tell the running agent to re-read it (SIGHUP), as upsd -c reload; prints what changed; exit 2 when the file has problems (nothing is sent)',
      (y) =>
        y
          .option('config', { alias: 'c', type: 'string', describe: 'the configuration file the agent runs', default: DEFAULT_CONFIG })
          .option('pid-file', { type: 'string', describe: "the agent's pid file (its run --pid-file; default /run/upsagent/upsagent.pid, else systemd's upsagent.service)" })
          .option('pid', { type: 'number', describe: 'the agent\'s pid, instead of its pid file (then the outcome is only in its log)' })
          .option('wait', { type: 'number', describe: "seconds to wait for the agent's outcome", default: 15 }),
      async (a) =>
        setExit(await (await import('./commands/reload')).runReload({ config: a.config, pidFile: a['pid-file'], pid: a.pid, waitS: a.wait }, processIO())),
    )
    .command(
      'init',
      'write the automatic configuration (the UPSes found on USB HID, served on this host, watched as primary with a safe shutdown policy), commented, as the start of a real one; to stdout, or to --output',
      (y) =>
        y
          .option('output', { alias: 'o', type: 'string', describe: 'write it to this file instead of stdout' })
          .option('force', { type: 'boolean', describe: 'replace the --output file when it exists' }),
      async (a) => setExit(await (await import('./commands/init')).runInit({ output: a.output, force: a.force === true }, processIO())),
    )
    .command('config', 'work with configuration files', (y) =>
      y
        .command(
          'check <file>',
          'validate a configuration file; exit 0 when it is good, 2 with every problem listed otherwise',
          (yy) => yy.positional('file', { type: 'string', demandOption: true }),
          async (a) => setExit(await (await import('./commands/config-check')).runConfigCheck(a.file, processIO())),
        )
        .demandCommand(1, 'Name a config subcommand: check'),
    )
    .command(
      'status [target]',
      'summary of each UPS on a NUT server: state, charge, runtime, load, and why a UPS has no data; exit 0 when every UPS has data, 3 when one has none, 1 when the server cannot be asked',
      (y) =>
        y
          .positional('target', { type: 'string', describe: "ups[@host[:port]] or @host[:port]; default: every UPS on localhost, and this host's monitor" })
          .option('json', { type: 'boolean', describe: 'print JSON' })
          .option('config', { alias: 'c', type: 'string', describe: "configuration whose monitor to show (default: /etc/upsagent/upsagent.yaml's, if readable)" }),
      async (a) => setExit(await (await import('./commands/status')).runStatus({ target: a.target, json: a.json === true, config: a.config }, processIO())),
    )
    .command('notify', "work with the monitor's notifications", (y) =>
      y
        .command(
          'test <type> [ups]',
          'send one notification through the configured routes and commands and report how each command ended',
          (yy) =>
            yy
              .positional('type', { type: 'string', demandOption: true, describe: 'a notification type (ONBATT, LOWBATT, ...), any case' })
              .positional('ups', { type: 'string', describe: 'the UPS named in it; default: the first UPS the monitor watches' })
              .option('config', { alias: 'c', type: 'string', describe: 'configuration file', default: DEFAULT_CONFIG }),
          async (a) => setExit(await (await import('./commands/notify-test')).runNotifyTest({ config: a.config, type: a.type, ups: a.ups }, processIO())),
        )
        .demandCommand(1, 'Name a notify subcommand: test'),
    )
    .command(
      'events',
      "the monitor's event history (from its state file), oldest first",
      (y) =>
        y
          .option('config', { alias: 'c', type: 'string', describe: 'configuration file', default: DEFAULT_CONFIG })
          .option('json', { type: 'boolean', describe: 'print JSON' })
          .option('limit', { type: 'number', describe: 'only the most recent N events' }),
      async (a) => setExit(await (await import('./commands/events')).runEvents({ config: a.config, json: a.json === true, limit: a.limit }, processIO())),
    )
    .command('driver', 'run a driver by itself', (y) =>
      y
        .command(
          'replay <file>',
          'run a driver over a recorded device (a usbhid-ups debug dump) and print its variables as upsc does',
          (yy) =>
            yy
              .positional('file', { type: 'string', demandOption: true, describe: 'the recording' })
              .option('driver', { type: 'string', choices: ['usbhid'], default: 'usbhid', describe: 'driver to run' }),
          async (a) => setExit(await (await import('./commands/driver-replay')).runDriverReplay({ driver: a.driver, file: a.file }, processIO())),
        )
        .demandCommand(1, 'Name a driver subcommand: replay'),
    )
    .command('killpower', 'the power-down flag the monitor writes before it shuts the host down', (y) =>
      y
        .command(
          'check',
          'exit 0 when the power-down flag is set (the UPS should now be shut down), 1 when not, 2 when no flag is configured; as NUT upsmon -K',
          (yy) =>
            yy
              .option('flag', { type: 'string', describe: 'the flag file; default: monitor.powerDownFlag of the configuration (not read when --flag is given)' })
              .option('config', { alias: 'c', type: 'string', describe: 'configuration file', default: DEFAULT_CONFIG }),
          async (a) => setExit(await (await import('./commands/killpower')).runKillpowerCheck({ config: a.config, flag: a.flag }, processIO())),
        )
        .demandCommand(1, 'Name a killpower subcommand: check'),
    )
    .command(
      'shutdown-ups [ups]',
      'start each UPS driver alone and send the UPS its shutdown command (the last step of a shutdown on power failure); as NUT upsdrvctl shutdown',
      (y) =>
        y
          .positional('ups', { type: 'string', describe: 'one UPS of the ups: section; default: all of them, in order' })
          .option('dry-run', { type: 'boolean', describe: 'start the drivers and say which command would be sent, without sending it' })
          .option('wait', { type: 'number', describe: 'seconds to wait for each device', default: 15 })
          .option('config', { alias: 'c', type: 'string', describe: 'configuration file', default: DEFAULT_CONFIG }),
      async (a) =>
        setExit(
          await (await import('./commands/shutdown-ups')).runShutdownUps(
            { config: a.config, ups: a.ups, dryRun: a['dry-run'] === true, waitMs: a.wait * 1000 },
            processIO(),
          ),
        ),
    )
    .command(
      'fsd <target>',
      'set forced shutdown (FSD) on a UPS of a NUT server: every monitor of it shuts its host down; as NUT upsmon -c fsd',
      (y) =>
        y
          .positional('target', { type: 'string', demandOption: true, describe: 'ups[@host[:port]]' })
          .option('user', { alias: 'u', type: 'string', describe: 'user name (default: the monitor.ups entry for this UPS, else asked)' })
          .option('password', { alias: 'p', type: 'string', describe: 'password (default: from the configuration, else asked without echo)' })
          .option('config', { alias: 'c', type: 'string', describe: 'configuration file', default: DEFAULT_CONFIG }),
      async (a) =>
        setExit(await (await import('./commands/fsd')).runFsd({ target: a.target, user: a.user, password: a.password, config: a.config }, processIO())),
    )
    .command(
      'scan',
      'find UPSes on USB HID and on serial ports (qx/Megatec and APC Smart, read-only queries), or with --snmp HOST[/CIDR] the SNMP cards on the network (as nut-scanner -S); prints a ups: section to paste into the configuration',
      (y) =>
        y
          .option('probe', { type: 'boolean', default: true, describe: 'open each serial port and ask it read-only questions (qx, APC Smart); --no-probe only lists the ports' })
          .option('snmp', { type: 'string', describe: 'scan SNMP cards instead: one host, or an IPv4 range up to /22 (192.168.1.0/24)' })
          .option('community', { type: 'string', describe: 'SNMP v1/v2c community (default public)' })
          .option('snmp-version', { choices: ['v1', 'v2c', 'v3'] as const, describe: 'SNMP version (default v1, as snmp-ups)' })
          .option('snmp-port', { type: 'number', describe: 'UDP port of the agents (default 161)' })
          .option('sec-level', { choices: ['noAuthNoPriv', 'authNoPriv', 'authPriv'] as const, describe: 'SNMP v3 security level' })
          .option('sec-name', { type: 'string', describe: 'SNMP v3 user name' })
          .option('auth-protocol', { type: 'string', describe: 'SNMP v3 authentication: MD5 (default), SHA, SHA224, SHA256, SHA384, SHA512' })
          .option('auth-password', { type: 'string', describe: 'SNMP v3 authentication pass phrase' })
          .option('priv-protocol', { type: 'string', describe: 'SNMP v3 privacy: DES (default) or AES' })
          .option('priv-password', { type: 'string', describe: 'SNMP v3 privacy pass phrase' })
          .option('timeout', { type: 'number', describe: 'seconds to wait for each SNMP answer (default 1)' }),
      async (a) => {
        if (a.snmp === undefined) return setExit(await (await import('./commands/scan')).runScan(processIO(), undefined, { probe: a.probe }));
        const { runScanSnmp } = await import('./commands/scan-snmp');
        setExit(
          await runScanSnmp(processIO(), a.snmp, {
            community: a.community,
            snmpVersion: a['snmp-version'],
            port: a['snmp-port'],
            secLevel: a['sec-level'],
            secName: a['sec-name'],
            authProtocol: a['auth-protocol'],
            authPassword: a['auth-password'],
            privProtocol: a['priv-protocol'],
            privPassword: a['priv-password'],
            timeout: a.timeout,
          }),
        );
      },
    )
    .command(
      'import-nut [dir]',
      "turn a NUT configuration folder (ups.conf, upsd.conf, upsd.users, upsmon.conf, upssched.conf, nut.conf) into one upsagent configuration; YAML on stdout, what could not be carried over as comments",
      (y) =>
        y
          .positional('dir', { type: 'string', default: '/etc/nut', describe: "NUT's configuration folder" })
          .option('output', { alias: 'o', type: 'string', describe: 'write the YAML to this file (created readable by its owner only: it holds the passwords)' })
          .option('mode', { choices: ['standalone', 'netserver', 'netclient'] as const, describe: "import as if nut.conf said this MODE (e.g. when it says none)" })
          .option('force', { type: 'boolean', describe: 'replace the --output file when it exists' }),
      async (a) => setExit(await (await import('./commands/import-nut')).runImportNut({ dir: a.dir, output: a.output, mode: a.mode, force: a.force === true }, processIO())),
    )
    .command(
      'install',
      'install as a systemd service: the executable on the PATH, a role account, udev rules for the UPS, a configuration if there is none',
      (y) =>
        y
          .option('dry-run', { type: 'boolean', describe: 'print every file (with its content) and every command, change nothing' })
          .option('root', { type: 'string', describe: 'install into this folder holding a system (packagers, tests) instead of /' })
          .option('binary', { type: 'string', describe: 'the executable to copy to /usr/local/bin/upsagent (default: this one)' })
          .option('config-from', { type: 'string', describe: 'the configuration to write when there is none (default: a minimal commented one)' })
          .option('enable', { type: 'boolean', default: true, describe: 'enable and start the service; --no-enable only writes it' })
          .option('force', { type: 'boolean', describe: 'replace a unit, rules file or executable that install did not write' }),
      async (a) =>
        setExit(
          await (await import('./commands/install')).runInstall(
            { dryRun: a['dry-run'] === true, root: a.root, binary: a.binary, configFrom: a['config-from'], noEnable: !a.enable, force: a.force === true },
            processIO(),
          ),
        ),
    )
    .command(
      'uninstall',
      'remove what upsagent install created (the configuration stays unless --purge)',
      (y) =>
        y
          .option('dry-run', { type: 'boolean', describe: 'print what would be removed, change nothing' })
          .option('root', { type: 'string', describe: 'the folder install was given with --root' })
          .option('purge', { type: 'boolean', describe: "also the configuration, the power-down flag and the monitor's history" }),
      async (a) => setExit(await (await import('./commands/install')).runUninstall({ dryRun: a['dry-run'] === true, root: a.root, purge: a.purge === true }, processIO())),
    )
    .command('doctor', 'check that this executable can load its USB, HID and serial modules', {}, async () =>
      setExit(await (await import('./commands/doctor')).runDoctor(processIO())),
    );
  for (const [tool, describe] of Object.entries(NUT_TOOLS)) parser.command(`${tool} [args..]`, describe, {}, () => undefined);

  try {
    await parser.parseAsync();
  } catch (err) {
    // yargs has already printed its own usage errors (it no longer exits by itself, see exitProcess).
    if (!(err instanceof Error && err.name === 'YError')) process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  return exitCode;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`upsagent: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
