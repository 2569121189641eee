import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliActor } from "../../../src/core/audit.js";
import { DomainError } from "../../../src/core/errors.js";
import type { Runtime } from "../../../src/runtime.js";
import { backends } from "../../helpers/backends.js";
import { twoNodes } from "../../helpers/two-nodes.js";

const MAX = 4;
const RIGHT = "right-password-1";

const outcome = (p: Promise<unknown>) =>
  p.then(
    () => "resolved",
    (e: unknown) => (e instanceof DomainError ? e.code : String(e)),
  );

/** Sign-in throttling behind a load balancer: each attempt may reach either node, and the counts must hold. */
describe.each(backends)("sign-in throttling across two nodes on $name", (backend) => {
  let nodes: [Runtime, Runtime];
  let cleanup: () => Promise<void>;
  const logins: string[] = [];

  beforeAll(async () => {
    ({ nodes, cleanup } = await twoNodes(backend, { security: { loginMaxAttempts: MAX, lockoutMinutes: 15 } }));
    for (let i = 0; i < 4; i++) {
      const login = `n${i}@example.com`;
      logins.push(login);
      const profile = { login, email: login, firstName: null, lastName: null, displayName: null };
      await nodes[0].directory.users.create(cliActor(), { profile, password: RIGHT });
    }
  }, 60_000);
  afterAll(async () => cleanup?.());

  /** Attempt `i` goes to node i mod 2, as a round-robin balancer sends it. */
  const attempt = (i: number, login: string, password: string, address = "192.0.2.1") =>
    outcome(nodes[i % 2]!.signIn.signIn("portal", login, password, null, undefined, address));

  it("checks at most the allowed passwords of 40 concurrent attempts spread over both nodes", async () => {
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => attempt(i, logins[0]!, "wrong")));
    expect(results.filter((r) => r === "unauthorized").length).toBeLessThanOrEqual(MAX);
    expect(results.filter((r) => r === "locked_out").length).toBeGreaterThanOrEqual(40 - MAX);
    // The lock made through both nodes holds on each of them, even for the right password.
    expect(await attempt(0, logins[0]!, RIGHT)).toBe("locked_out");
    expect(await attempt(1, logins[0]!, RIGHT)).toBe("locked_out");
  });

  it("locks a person on one node after failures counted on the other", async () => {
    for (let i = 0; i < MAX; i++) expect(await attempt(0, logins[1]!, "wrong", "192.0.2.2")).toBe("unauthorized");
    expect(await attempt(1, logins[1]!, RIGHT, "192.0.2.2")).toBe("locked_out");
  });

  it("starts over on every node after a right password on one", async () => {
    for (let i = 0; i < MAX - 1; i++) await attempt(1, logins[2]!, "wrong", "192.0.2.3");
    expect(await attempt(0, logins[2]!, RIGHT, "192.0.2.3")).toBe("resolved");
    for (let i = 0; i < MAX - 1; i++) expect(await attempt(1, logins[2]!, "wrong", "192.0.2.3")).toBe("unauthorized");
    expect(await attempt(1, logins[2]!, RIGHT, "192.0.2.3")).toBe("resolved");
  });

  it("lifts a lock on every node when an administrator unlocks on one", async () => {
    for (let i = 0; i < MAX; i++) await attempt(i, logins[3]!, "wrong", "192.0.2.4");
    expect(await attempt(0, logins[3]!, RIGHT, "192.0.2.4")).toBe("locked_out");
    await nodes[1].signIn.unlock(cliActor(), logins[3]!);
    expect(await attempt(0, logins[3]!, RIGHT, "192.0.2.4")).toBe("resolved");
  });
});
