// Preloaded (node --require) by bench/mysql-round-trips.ts: counts the round trips this process
// makes to MySQL/MariaDB from the packets the driver writes to port 3306. A client command (a
// query, a ping, a prepared statement's execution) is a packet with sequence number 0 and waits
// for the server's answer, except COM_QUIT and COM_STMT_CLOSE, which get none; the handshake's
// packets have other sequence numbers. Also counts the statements the queries carry (a query of
// several statements is one round trip, its statements counted by its top-level ";"s). The counts
// are written to MYSQL_WIRE_COUNT_OUT at exit.
"use strict";
const net = require("node:net");
const fs = require("node:fs");
const COM_QUIT = 0x01;
const COM_QUERY = 0x03;
const COM_STMT_CLOSE = 0x19;
let roundTrips = 0;
let statements = 0;
const write = net.Socket.prototype.write;
net.Socket.prototype.write = function (chunk, ...rest) {
  if (this.remotePort === 3306 && Buffer.isBuffer(chunk)) {
    // A packet: its payload's length in 3 bytes (little-endian), its sequence number, the payload.
    for (let i = 0; i + 4 < chunk.length; i += 4 + chunk.readUIntLE(i, 3)) {
      if (chunk[i + 3] !== 0) continue;
      const command = chunk[i + 4];
      if (command === COM_QUIT || command === COM_STMT_CLOSE) continue;
      roundTrips++;
      statements += command === COM_QUERY ? countStatements(chunk.toString("utf8", i + 5, i + 4 + chunk.readUIntLE(i, 3))) : 1;
    }
  }
  return write.call(this, chunk, ...rest);
};

/** The statements of a query: its ";"s outside quotes, plus one (a trailing ";" adds none). */
function countStatements(sql) {
  let n = 1;
  let quote = null;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = null;
    } else if (c === "'" || c === '"' || c === "`") quote = c;
    else if (c === ";" && sql.slice(i + 1).trim() !== "") n++;
  }
  return n;
}

process.on("exit", () => {
  if (process.env.MYSQL_WIRE_COUNT_OUT) fs.writeFileSync(process.env.MYSQL_WIRE_COUNT_OUT, JSON.stringify({ roundTrips, statements }));
});
