/**
 * The qx driver's entry point for the registry: NUT's nutdrv_qx for the
 * Megatec/Q1 family. `port` is a serial device (opened 2400 8N1 with the
 * cable powered as `cablepower` says), or `auto` (or any USB option set,
 * as NUT decides) for a USB-to-serial bridge (./usb: cypress, phoenix,
 * ippon, krauler, fabula, hunnox, fuji...).
 */
import type { UpsConfig } from '../../core/config';
import type { Logger } from '../../core/logger';
import type { Module } from '../../core/module';
import { openSerialPort, type OpenSerial, type OutputLines } from '../serial/link';
import type { DriverDeps } from '../types';
import type { QxConfig } from './config';
import { QxDriver, type QxDriverOptions } from './driver';
import { SerialQxTransport, type OpenQxTransport } from './transport';
import { isQxUsbConfig, openQxUsb } from './usb/index';

/** nutdrv_qx's cablepower: which modem lines feed the cable (DTR on, RTS off by default). */
export const CABLE_POWER: Readonly<Record<NonNullable<QxConfig['cablepower']>, OutputLines>> = {
  normal: { dtr: true, rts: false },
  reverse: { dtr: false, rts: true },
  both: { dtr: true, rts: true },
  none: { dtr: false, rts: false },
};

/** NUT waits this long after powering the cable before the first command. */
export const CABLE_POWER_SETTLE_MS = 1100;

export interface QxFactoryOptions extends Partial<Omit<QxDriverOptions, 'openTransport'>> {
  openSerial?: OpenSerial;
  /** The link to use instead of the one the port names (tests, USB bridges). */
  openTransport?: OpenQxTransport;
  /** Milliseconds to let the cable power settle (default 1100, NUT's). */
  settleMs?: number;
}

/** The serial transport of a UPS entry: the port at 2400 8N1, the cable powered. */
export function serialTransport(cfg: QxConfig, openSerial: OpenSerial, log: Logger, settleMs = CABLE_POWER_SETTLE_MS): OpenQxTransport {
  return async () => {
    const t = await SerialQxTransport.open(openSerial, cfg.port);
    try {
      await t.link.setLines(CABLE_POWER[cfg.cablepower ?? 'normal']);
    } catch (err) {
      // A pty or a USB adapter without modem lines: nothing to power, carry on as NUT does.
      log.debug(`${cfg.port}: cable power not set (${err instanceof Error ? err.message : String(err)})`);
    }
    if (settleMs > 0) await new Promise((r) => setTimeout(r, settleMs));
    return t;
  };
}

/** The registry's entry point. */
export function createQxDriver(upsCfg: UpsConfig, deps: DriverDeps, opts: QxFactoryOptions = {}): Module {
  const cfg = upsCfg as QxConfig;
  // USB as nutdrv_qx decides it: port auto, or any USB option set (the config check has refused bad ones).
  const openTransport =
    opts.openTransport ??
    (isQxUsbConfig(cfg) ? openQxUsb(cfg, { log: (line) => deps.log.info(`${deps.ups}: ${line}`) }) : serialTransport(cfg, opts.openSerial ?? openSerialPort, deps.log, opts.settleMs));
  return new QxDriver(cfg, deps, {
    openTransport,
    ...(opts.protocols ? { protocols: opts.protocols } : {}),
    ...(opts.timers ? { timers: opts.timers } : {}),
    ...(opts.version ? { version: opts.version } : {}),
  });
}

export { QxDriver, DRIVER_NAME, QX_VERSION, DEFAULT_POLL_INTERVAL, DEFAULT_POLLFREQ, QxEchoError, QxRejectedError, QxNoProtocolError, statusText, isEcho } from './driver';
export { SerialQxTransport, QxTruncatedReplyError, QX_SERIAL_DEFAULTS, type QxTransport, type OpenQxTransport } from './transport';
export { QX_PROTOCOLS, findProtocol, protocolNames } from './protocols/index';
