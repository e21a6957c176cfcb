/**
 * Whether a qx UPS is on USB, and the keys that say so: kept apart from
 * ./index so the config check can ask without loading the bridge tables.
 */

import type { QxUsbMatchOptions } from './match';

/** The `ups:` keys this reads (NUT's names; QX_OPTIONS of ../config.ts): the matcher's, and these. */
export interface QxUsbOptions extends QxUsbMatchOptions {
  port?: string;
  subdriver?: string;
  langid_fix?: string;
  noscanlangid?: boolean;
  novendor?: boolean;
}

/**
 * nutdrv_qx's test for USB: `port` is `auto`, or any USB option is set
 * (NUT then ignores the port with a warning).
 */
export function isQxUsbConfig(cfg: QxUsbOptions): boolean {
  return (
    cfg.port === 'auto' ||
    [cfg.subdriver, cfg.vendorid, cfg.productid, cfg.vendor, cfg.product, cfg.serial, cfg.bus, cfg.langid_fix].some((v) => v !== undefined)
  );
}
