import { createServer, type Server, Socket } from "node:net";

/**
 * A loopback TCP proxy in front of a server that can be told to cut every connection after a number of bytes
 * from the server: a directory that goes away in the middle of a search, at a point the test chooses.
 */
export interface CuttingProxy {
  port: number;
  /** Cut connections once this many bytes came from the server (null: never). */
  cutAfter: number | null;
  close(): Promise<void>;
}

export async function startCuttingProxy(targetPort: number): Promise<CuttingProxy> {
  const sockets = new Set<Socket>();
  const proxy: CuttingProxy = { port: 0, cutAfter: null, close: async () => undefined };
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    sockets.add(client);
    sockets.add(upstream);
    let passed = 0;
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    upstream.connect(targetPort, "127.0.0.1");
    client.on("data", (d) => upstream.write(d));
    upstream.on("data", (d) => {
      passed += d.length;
      if (proxy.cutAfter !== null && passed > proxy.cutAfter) return cut();
      client.write(d);
    });
    client.on("error", cut);
    upstream.on("error", cut);
    client.on("close", cut);
    upstream.on("close", cut);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.port = (server.address() as { port: number }).port;
  proxy.close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return proxy;
}
