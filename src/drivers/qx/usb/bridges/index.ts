/** Every bridge by NUT's name. */
import type { QxUsbBridge, QxUsbSubdriver } from '../bridge';
import { ablerex } from './ablerex';
import { armac } from './armac';
import { cypress, gtec } from './cypress';
import { fabula, hunnox } from './fabula';
import { fuji } from './fuji';
import { ippon, omron } from './ippon';
import { krauler, snr } from './krauler';
import { phoenix } from './phoenix';
import { phoenixtec } from './phoenixtec';
import { sgs } from './sgs';

export const QX_USB_BRIDGES: Readonly<Record<QxUsbSubdriver, QxUsbBridge>> = {
  cypress,
  phoenixtec,
  phoenix,
  ippon,
  omron,
  krauler,
  fabula,
  hunnox,
  fuji,
  sgs,
  snr,
  ablerex,
  armac,
  gtec,
};
