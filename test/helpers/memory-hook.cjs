/**
 * Preloaded into a server under test (node -r): answers each line on fd 3
 * with one JSON line, process.memoryUsage() plus V8's heap spaces. The line
 * `gc` first runs a full collection (only the bench asks for it, to tell
 * garbage from memory still held). Plain CommonJS: it runs before the code
 * under test, under any node. The channel is unref'd: it keeps nothing alive.
 */
'use strict';
/* global require, process */
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS, preloaded with node -r before any loader */
const net = require('node:net');
const v8 = require('node:v8');
const vm = require('node:vm');

const ch = new net.Socket({ fd: 3, readable: true, writable: true });
ch.unref();
ch.on('error', () => undefined);
let buf = '';
ch.on('data', (d) => {
  buf += d;
  let i;
  while ((i = buf.indexOf('\n')) >= 0) {
    const cmd = buf.slice(0, i);
    buf = buf.slice(i + 1);
    if (cmd === 'gc') {
      v8.setFlagsFromString('--expose-gc');
      vm.runInNewContext('gc')();
    }
    const spaces = {};
    for (const s of v8.getHeapSpaceStatistics()) spaces[s.space_name] = { used: s.space_used_size, size: s.space_size };
    ch.write(`${JSON.stringify({ ...process.memoryUsage(), spaces })}\n`);
  }
});
