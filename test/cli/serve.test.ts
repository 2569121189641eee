import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { DEMO_ADMIN } from "../../src/demo/seed.js";
import { rolebridge, serve, tempDir } from "./run.js";

const dir = tempDir("rb-serve-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("rolebridge serve", () => {
  it("serves /healthz on an ephemeral port with demo data, and stops on SIGTERM", async () => {
    const server = serve(["--port", "0", "--data-dir", dir, "--demo"]);
    const url = await server.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    // The demo's credentials and how to get a token are printed; the wording is free to change.
    expect(server.output()).toContain(DEMO_ADMIN.login);
    expect(server.output()).toContain(DEMO_ADMIN.password);
    expect(server.output()).toContain(`token create --data-dir ${dir} --name demo`);

    server.child.kill("SIGTERM");
    expect(await server.exited).toEqual({ code: 0, signal: null });

    const users = await rolebridge(["users", "list", "--data-dir", dir, "--json"]);
    const logins = (JSON.parse(users.stdout).items as { profile: { login: string } }[]).map((u) => u.profile.login);
    expect(logins).toEqual(expect.arrayContaining(["admin@example.com", "alice@example.com", "bob@example.com"]));
  });

  it("prints its URL as one JSON line with --json, on SIGINT too", async () => {
    const server = serve(["--port", "0", "--data-dir", dir, "--json"]);
    const url = await server.url;
    const line = server
      .output()
      .split("\n")
      .find((l) => l.startsWith('{"url"'));
    expect(JSON.parse(line!)).toEqual({ url, backend: "sqlite", dataDir: dir });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    server.child.kill("SIGINT");
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });

  it("refuses --demo in production and on a non-loopback host without explicit consent", async () => {
    const production = {
      NODE_ENV: "production",
      ROLEBRIDGE_PUBLIC_URL: "https://idp.example.com",
      ROLEBRIDGE_MASTER_KEY: Buffer.alloc(32, 7).toString("base64"),
    };
    const inProduction = await rolebridge(["serve", "--demo", "--port", "0", "--data-dir", dir], { env: production });
    expect(inProduction.code).toBe(2);
    expect(inProduction.stderr).toMatch(/^rolebridge: --demo .*production.*--yes-i-know/);
    const exposed = await rolebridge(["serve", "--demo", "--host", "0.0.0.0", "--port", "0", "--data-dir", dir]);
    expect(exposed.code).toBe(2);
    expect(exposed.stderr).toMatch(/^rolebridge: --demo .*0\.0\.0\.0.*--yes-i-know/);
  });

  it("refuses a bad port with one line and exit 2", async () => {
    const r = await rolebridge(["serve", "--port", "70000", "--data-dir", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "rolebridge: option '--port <port>' argument '70000' is invalid. must be a port number 0-65535 (see --help)\n",
    );
  });
});
