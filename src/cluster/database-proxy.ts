import { once } from "node:events";
import { createServer, type Server, Socket } from "node:net";

/**
 * A loopback TCP proxy between the nodes and PostgreSQL that plays a database restart: `down()` drops every
 * connection and refuses new ones (the server is gone), `up()` accepts again on the same port. The machine's
 * PostgreSQL is shared with others, so the fault suite restarts this stand-in instead of the server.
 */
export interface DatabaseProxy {
  port: number;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startDatabaseProxy(target: { host: string; port: number }): Promise<DatabaseProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    const pair = [client, upstream];
    // Either side ending ends both, as a dropped database connection would.
    const cut = () => {
      for (const x of pair) x.destroy();
    };
    for (const s of pair) {
      sockets.add(s);
      s.on("error", cut);
      s.on("close", () => {
        sockets.delete(s);
        cut();
      });
    }
    upstream.connect(target.port, target.host);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const listen = async (port: number) => {
    server.listen(port, "127.0.0.1");
    await once(server, "listening");
  };
  await listen(0);
  const port = (server.address() as { port: number }).port;
  let listening = true;
  const down = async () => {
    if (!listening) return;
    listening = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  return {
    port,
    down,
    async up() {
      if (listening) return;
      await listen(port);
      listening = true;
    },
    close: down,
  };
}
