import net from "node:net";

/** A TCP proxy on 127.0.0.1 in front of a database server, whose connections the test can cut. */
export interface TcpProxy {
  readonly port: number;
  /**
   * Destroys every connection through the proxy (both sides), as a network cut would, and resets
   * new ones until restore(): the database cannot be reached, not even to record the failure.
   */
  cut(): void;
  /** Lets connections through again (the network is back). */
  restore(): void;
  /** How many connections are open through the proxy now. */
  open(): number;
  close(): Promise<void>;
}

/** Starts a proxy on a random port of 127.0.0.1 forwarding to 127.0.0.1:targetPort. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const pairs = new Set<{ client: net.Socket; server: net.Socket }>();
  let down = false;
  const proxy = net.createServer((client) => {
    if (down) {
      client.resetAndDestroy();
      return;
    }
    const server = net.connect(targetPort, "127.0.0.1");
    const pair = { client, server };
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on("error", end).on("close", end);
    server.on("error", end).on("close", end);
    client.pipe(server);
    server.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    proxy.once("error", reject);
    proxy.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    port: (proxy.address() as net.AddressInfo).port,
    cut() {
      down = true;
      // resetAndDestroy sends an RST, as a dropped route or a killed middlebox does; a plain destroy would send FIN.
      for (const { client, server } of [...pairs]) {
        client.resetAndDestroy();
        server.destroy();
      }
      pairs.clear();
    },
    restore() {
      down = false;
    },
    open: () => pairs.size,
    async close() {
      for (const { client, server } of pairs) {
        client.destroy();
        server.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}
