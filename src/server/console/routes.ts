import { existsSync, readdirSync, readFileSync } from "node:fs";
import { extname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply } from "fastify";

/**
 * Scripts and styles only from our own origin, and API calls only to it: the console has no inline
 * script or style, so nothing injected into a page can run. Images allow data: for the empty favicon.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
};

/** The built console: dist/web next to dist/server when installed, or under the checkout when run from src/. */
export function consoleDir(): string | null {
  const candidates = ["../../web/", "../../../dist/web/"].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  return candidates.find((dir) => existsSync(join(dir, "index.html"))) ?? null;
}

function readTree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path).split("\\").join("/"), readFileSync(path));
  }
  return files;
}

/**
 * The admin console at /admin: the single page for every console address (the browser routes), and its
 * hashed assets, cached for good. The files are few and small, so they are read once, at start.
 */
export async function consoleRoutes(app: FastifyInstance, opts: { dir?: string | null } = {}) {
  const dir = opts.dir === undefined ? consoleDir() : opts.dir;
  const files = dir ? readTree(dir) : new Map<string, Buffer>();
  const index = files.get("index.html");

  const page = (reply: FastifyReply) => {
    if (!index) {
      return reply
        .code(503)
        .type("text/plain; charset=utf-8")
        .send("The admin console is not built: run `npm run build` (it builds the server and the console).\n");
    }
    return reply.type("text/html; charset=utf-8").header("content-security-policy", CONSOLE_CSP).send(index);
  };

  const hidden = { schema: { hide: true } };
  app.get("/admin", hidden, async (_request, reply) => page(reply));
  app.get<{ Params: { "*": string } }>("/admin/*", hidden, async (request, reply) => {
    const path = request.params["*"];
    if (path.startsWith("assets/")) {
      const body = files.get(path);
      if (!body) return reply.code(404).type("text/plain; charset=utf-8").send("Not found\n");
      return reply
        .type(TYPES[extname(path)] ?? "application/octet-stream")
        .header("cache-control", "public, max-age=31536000, immutable")
        .send(body);
    }
    return page(reply);
  });
}
