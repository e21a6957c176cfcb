/**
 * The variables that say why a UPS has no data. NUT's upsd answers every
 * request about such a UPS with ERR DATA-STALE or DRIVER-NOT-CONNECTED, so a
 * client cannot learn what is wrong; these two are served anyway (GET VAR
 * only; LIST VAR and the rest keep upsd's answers), so `upsagent status` and
 * any NUT client can ask.
 */

/** NUT 2.8's driver.state: what the driver is doing (init.device, reconnect.trying, quiet, ...). */
export const DRIVER_STATE_VAR = 'driver.state';

/**
 * Ours, in our own namespace: the driver's last failure in words ("auto: no
 * UPS matching the configuration among 0 HID device(s)"); present only while
 * the device is not answering as it should, removed when it answers again.
 */
export const DRIVER_ERROR_VAR = 'upsagent.driver.error';

/** Served even while the UPS has no data. */
export const HEALTH_VARS: ReadonlySet<string> = new Set([DRIVER_STATE_VAR, DRIVER_ERROR_VAR]);
