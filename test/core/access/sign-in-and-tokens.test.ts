import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureAdmin } from "../../../src/core/access/admins.js";
import { SignInService } from "../../../src/core/access/sign-in.js";
import { TokenService } from "../../../src/core/access/tokens.js";
import { currentTotpCode, TotpService } from "../../../src/core/access/totp.js";
import type { Actor } from "../../../src/core/audit.js";
import { SecretBox } from "../../../src/core/crypto/secretbox.js";
import { type Directory, directory } from "../../../src/core/directory/index.js";
import { DomainError } from "../../../src/core/errors.js";
import type { Clock } from "../../../src/core/ids.js";
import type { Store } from "../../../src/store/contract.js";
import { backends } from "../../helpers/backends.js";

const actor: Actor = { type: "cli", id: null, display: "test" };

class FakeClock implements Clock {
  t = Date.parse("2026-03-01T00:00:00.000Z");
  now = () => new Date(this.t);
  advance(ms: number) {
    this.t += ms;
  }
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "resolved",
    (e: unknown) => (e instanceof DomainError ? e.code : String(e)),
  );

describe.each(backends)("sign-in and API tokens on $name", (backend) => {
  let store: Store;
  let dir: Directory;
  let cleanup: () => Promise<void>;
  const clock = new FakeClock();
  let signIn: SignInService;
  let secrets: SecretBox;
  beforeAll(async () => {
    const opened = await backend.open();
    store = opened.store;
    cleanup = opened.cleanup;
    dir = directory(store, clock);
    secrets = new SecretBox(randomBytes(32));
    signIn = new SignInService(store, { maxAttempts: 3, lockoutMinutes: 10, sessionTtlMinutes: 60 }, clock, secrets);
    await ensureAdmin(store, dir.users, actor, { login: "root@example.com", password: "admin-password-1" }, clock);
    await dir.users.create(actor, {
      profile: {
        login: "plain@example.com",
        email: "plain@example.com",
        firstName: null,
        lastName: null,
        displayName: null,
      },
      password: "plain-password-1",
    });
  });
  afterAll(async () => cleanup?.());

  it("signs an admin in with a fresh session id each time", async () => {
    const a = await signIn.signIn("admin", "ROOT@example.com", "admin-password-1");
    const b = await signIn.signIn("admin", "root@example.com", "admin-password-1");
    expect(a.sessionId).not.toBe(b.sessionId);
    expect((await signIn.session(a.sessionId))?.user.profile.login).toBe("root@example.com");
    await signIn.signOut(a.sessionId);
    expect(await signIn.session(a.sessionId)).toBeNull();
    expect(await signIn.session(b.sessionId)).not.toBeNull();
  });

  it("refuses a non-admin on the admin console but lets them into the portal", async () => {
    expect(await codeOf(signIn.signIn("admin", "plain@example.com", "plain-password-1"))).toBe("forbidden");
    expect((await signIn.signIn("portal", "plain@example.com", "plain-password-1")).session.kind).toBe("portal");
  });

  it("gives the same answer for an unknown login and a wrong password", async () => {
    expect(await codeOf(signIn.signIn("admin", "nobody@example.com", "x"))).toBe("unauthorized");
    expect(await codeOf(signIn.signIn("admin", "plain@example.com", "wrong"))).toBe("unauthorized");
  });

  it("locks the account after repeated failures, even for the right password, until the lockout ends", async () => {
    for (let i = 0; i < 3; i++) await codeOf(signIn.signIn("admin", "root@example.com", "nope"));
    expect(await codeOf(signIn.signIn("admin", "root@example.com", "admin-password-1"))).toBe("locked_out");
    clock.advance(11 * 60_000);
    expect(await codeOf(signIn.signIn("admin", "root@example.com", "admin-password-1"))).toBe("resolved");
    const failures = await store.log.list({ action: "user.session.start" }, { limit: 100 });
    expect(failures.items.some((e) => e.outcome === "FAILURE" && e.summary.reason === "throttled")).toBe(true);
  });

  it("issues tokens shown once, stored hashed, and revocable", async () => {
    const tokens = new TokenService(store, clock);
    const { token, secret } = await tokens.create(actor, { name: "ci" });
    expect(secret.startsWith("rbt_")).toBe(true);
    expect(JSON.stringify(await tokens.list())).not.toContain(secret);
    expect((await tokens.authenticate(secret))?.id).toBe(token.id);
    expect(await tokens.authenticate(`${secret}x`)).toBeNull();
    await tokens.revoke(actor, token.id);
    expect(await tokens.authenticate(secret)).toBeNull();
    expect(await codeOf(tokens.revoke(actor, token.id))).toBe("conflict");
  });

  it("requires a TOTP code once enrolled, accepts it once, and refuses a replay", async () => {
    const totp = new TotpService(store, secrets, dir.users, clock);
    await dir.users.create(actor, {
      profile: {
        login: "mfa@example.com",
        email: "mfa@example.com",
        firstName: null,
        lastName: null,
        displayName: null,
      },
      password: "mfa-password-1",
    });
    const { secret, uri } = await totp.enroll(actor, "mfa@example.com");
    expect(uri).toMatch(/^otpauth:\/\/totp\/rolebridge:mfa%40example\.com\?/);
    expect(JSON.stringify(await store.users.credentials((await dir.users.get("mfa@example.com")).id))).not.toContain(
      secret,
    );
    const err = (await signIn
      .signIn("portal", "mfa@example.com", "mfa-password-1")
      .catch((e: unknown) => e)) as DomainError;
    expect([err.code, err.details.secondFactor]).toEqual(["unauthorized", "totp"]);
    const code = currentTotpCode(secret, clock.now());
    expect(await codeOf(signIn.signIn("portal", "mfa@example.com", "mfa-password-1", null, code))).toBe("resolved");
    expect(await codeOf(signIn.signIn("portal", "mfa@example.com", "mfa-password-1", null, code))).toBe("unauthorized");
    const wrong = code === "000000" ? "111111" : "000000";
    clock.advance(30_000);
    expect(await codeOf(signIn.signIn("portal", "mfa@example.com", "mfa-password-1", null, wrong))).toBe(
      "unauthorized",
    );
    const next = currentTotpCode(secret, clock.now());
    expect(await codeOf(signIn.signIn("portal", "mfa@example.com", "mfa-password-1", null, next))).toBe("resolved");
  });
});
