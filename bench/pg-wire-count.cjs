// Preloaded (node --require) by bench/pg-round-trips.ts: counts the round trips this process makes
// to PostgreSQL (each simple Query 'Q' and each extended-protocol Sync 'S' waits for the server),
// from the bytes the driver writes to port 5432, and writes the count to PG_WIRE_COUNT_OUT at exit.
"use strict";
const net = require("node:net");
const fs = require("node:fs");
let simple = 0;
let extended = 0;
const write = net.Socket.prototype.write;
net.Socket.prototype.write = function (chunk, ...rest) {
  if (this.remotePort === 5432 && Buffer.isBuffer(chunk)) {
    // A frontend message: one type byte, then its length (which counts itself, not the type byte).
    for (let i = 0; i + 5 <= chunk.length; i += 1 + chunk.readInt32BE(i + 1)) {
      if (chunk[i] === 0x51) simple++;
      else if (chunk[i] === 0x53) extended++;
    }
  }
  return write.call(this, chunk, ...rest);
};
process.on("exit", () => {
  if (process.env.PG_WIRE_COUNT_OUT) fs.writeFileSync(process.env.PG_WIRE_COUNT_OUT, JSON.stringify({ simple, extended }));
});
