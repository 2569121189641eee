import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config/load.js";
import { cliActor } from "../../../src/core/audit.js";
import { createLogger, openRuntime, type Runtime } from "../../../src/runtime.js";
import { buildApp } from "../../../src/server/app.js";
import { backends } from "../../helpers/backends.js";

/** The link's token is a credential: it travels in the path, so request logs must not carry it. */
describe("activation links in the server's logs", () => {
  const lines: string[] = [];
  let rt: Runtime;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const opened = await backends[0]!.open();
    await opened.store.close();
    const config = loadConfig({
      env: {},
      overrides: { dataDir: opened.dataDir, logLevel: "info", masterKey: randomBytes(32).toString("base64") },
    });
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    rt = await openRuntime(config, { logger: createLogger(config, stream) });
    cleanup = async () => {
      await rt.close();
      await opened.cleanup();
    };
  });
  afterAll(async () => cleanup?.());

  it("logs the request with the token masked", async () => {
    const app = await buildApp(rt);
    try {
      await rt.directory.users.create(cliActor(), {
        profile: { login: "lu@example.com", email: "lu@example.com", firstName: "L", lastName: "U", displayName: null },
      });
      const { url } = await rt.activation.issue(cliActor(), "lu@example.com");
      const token = url.slice(url.lastIndexOf("/") + 1);
      const res = await app.inject({ method: "GET", url: `/activate/${token}` });
      expect(res.statusCode).toBe(200);
      const posted = await app.inject({
        method: "POST",
        url: `/activate/${token}`,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: "password=lu-long-password&confirm=lu-long-password",
      });
      expect(posted.statusCode).toBe(403); // no CSRF cookie
      expect(lines.filter((l) => l.includes("/activate/[redacted]")).length).toBeGreaterThanOrEqual(2);
      const logged = lines.join("");
      expect(logged).toContain("/activate/");
      expect(logged).not.toContain(token);
    } finally {
      await app.close();
    }
  });
});
