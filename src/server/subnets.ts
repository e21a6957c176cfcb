/**
 * Address lists in the config (`exemptAddresses`): single addresses or
 * subnets, IPv4 or IPv6, matched with node's BlockList. An IPv4 client on a
 * dual-stack listener (`::ffff:192.0.2.7`) matches its IPv4 entries.
 */
import { BlockList, isIP } from 'node:net';

export interface Subnet {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** Parses `addr` or `addr/prefix`; a string is the problem. */
export function parseSubnet(text: string): Subnet | string {
  const [address = '', prefixText, extra] = text.split('/');
  const v = isIP(address);
  if (v === 0 || extra !== undefined) return `${JSON.stringify(text)} is not an IP address or subnet (e.g. "192.0.2.7", "10.0.0.0/8", "::1", "fd00::/8")`;
  const max = v === 4 ? 32 : 128;
  const family = v === 4 ? 'ipv4' : 'ipv6';
  if (prefixText === undefined) return { address, prefix: max, family };
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return `${JSON.stringify(text)} has prefix length ${JSON.stringify(prefixText)}; it is 0 to ${max}`;
  return { address, prefix: Number(prefixText), family };
}

export class AddressSet {
  private readonly list = new BlockList();

  /** Entries that do not parse are skipped (the config schema reports them). */
  constructor(items: readonly string[]) {
    for (const item of items) {
      const r = parseSubnet(item);
      if (typeof r !== 'string') this.list.addSubnet(r.address, r.prefix, r.family);
    }
  }

  /** `addr` as the client's address prints (plain IPv4, or IPv6). */
  has(addr: string): boolean {
    const v = isIP(addr);
    if (v === 0) return false;
    return this.list.check(addr, v === 4 ? 'ipv4' : 'ipv6');
  }
}
