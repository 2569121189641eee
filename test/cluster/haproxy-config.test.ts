import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HAPROXY_BIN, haproxyConfig } from "../../src/cluster/haproxy.js";

describe("the cluster harness's HAProxy configuration", () => {
  const config = haproxyConfig({ port: 18080, nodePorts: [18081, 18082, 18083], checkIntervalMs: 500, fall: 2 });

  it("is accepted by the installed HAProxy (haproxy -c)", () => {
    const dir = mkdtempSync(join(tmpdir(), "rb-haproxy-"));
    try {
      const path = join(dir, "haproxy.cfg");
      writeFileSync(path, config);
      const check = spawnSync(HAPROXY_BIN, ["-c", "-f", path], { encoding: "utf8" });
      expect({ status: check.status, output: `${check.stdout}${check.stderr}` }).toMatchObject({ status: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("checks every node on /readyz and retries only requests that reached no node", () => {
    expect(config).toContain("bind 127.0.0.1:18080");
    for (const [i, port] of [18081, 18082, 18083].entries()) {
      expect(config).toContain(`server n${i + 1} 127.0.0.1:${port} check`);
    }
    expect(config).toContain("option httpchk GET /readyz");
    expect(config).toMatch(/inter 500 .*fall 2 rise 1/);
    expect(config).toContain("retry-on conn-failure empty-response\n");
  });
});
