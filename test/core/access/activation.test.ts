import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseLinkTtl } from "../../../src/core/access/activation.js";
import { currentTotpCode } from "../../../src/core/access/totp.js";
import { cliActor } from "../../../src/core/audit.js";
import type { DomainError } from "../../../src/core/errors.js";
import type { Runtime } from "../../../src/runtime.js";
import { backends } from "../../helpers/backends.js";
import { offsetClock, testRuntime } from "../../helpers/runtime.js";

const actor = cliActor();
const tokenOf = (url: string) => url.slice(url.lastIndexOf("/") + 1);
const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as DomainError,
  );

async function person(rt: Runtime, login: string, opts: { password?: string } = {}) {
  return rt.directory.users.create(actor, {
    profile: { login, email: login, firstName: "P", lastName: "Q", displayName: null },
    status: "STAGED",
    ...(opts.password ? { password: opts.password } : {}),
  });
}

/** Issue 16 item 4: one-time, expiring activation and reset links, stored hashed, with System Log entries. */
describe.each(backends)("activation and reset links on $name", (backend) => {
  let rt: Runtime;
  let cleanup: () => Promise<void>;
  const clock = offsetClock();

  beforeAll(async () => {
    ({ runtime: rt, cleanup } = await testRuntime(backend, { publicUrl: "https://idp.example.test" }, { clock }));
  });
  afterAll(async () => cleanup?.());

  it("issues a link to the public URL, keeps only its hash, and a new link revokes the old one", async () => {
    const ann = await person(rt, "ann@example.com");
    const first = await rt.activation.issue(actor, "ann@example.com");
    expect(first.url).toMatch(/^https:\/\/idp\.example\.test\/activate\/[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(first.expiresAt) - clock.now().getTime()).toBeGreaterThan(71.9 * 3600_000);
    expect(await rt.store.activationTokens.get(tokenOf(first.url))).toBeNull();
    const logged = JSON.stringify((await rt.store.log.list({}, { limit: 100 })).items);
    expect(logged).toContain("user.activation_link.issue");
    expect(logged).not.toContain(tokenOf(first.url));

    const second = await rt.activation.issue(actor, ann.id, { ttlMs: parseLinkTtl("30m") });
    expect(Date.parse(second.expiresAt) - clock.now().getTime()).toBeLessThanOrEqual(30 * 60_000);
    expect((await failure(rt.activation.open(tokenOf(first.url))))?.code).toBe("not_found");
    expect((await rt.activation.open(tokenOf(second.url))).user.id).toBe(ann.id);
  });

  it("sets the password with the password rules, activates a STAGED person, and works only once", async () => {
    const { url } = await rt.activation.issue(actor, "ann@example.com");
    const token = tokenOf(url);
    expect((await failure(rt.activation.complete(token, { password: "short" })))?.code).toBe("validation_failed");
    const done = await rt.activation.complete(token, { password: "a-long-passphrase-1" });
    expect(done.status).toBe("ACTIVE");
    const signedIn = await rt.signIn.signIn("portal", "ann@example.com", "a-long-passphrase-1");
    expect(signedIn.user.id).toBe(done.id);
    expect((await failure(rt.activation.complete(token, { password: "another-passphrase" })))?.code).toBe("not_found");
    const actions = (await rt.store.log.list({}, { limit: 100 })).items.map((e) => e.action);
    expect(actions).toContain("user.activation_link.use");
  });

  it("asks for --reset when the person already has a password; a reset ends their sessions", async () => {
    await person(rt, "bo@example.com", { password: "bo-first-password" });
    const refused = await failure(rt.activation.issue(actor, "bo@example.com"));
    expect([refused?.code, refused?.message]).toEqual([
      "conflict",
      'bo@example.com already has a password: issue a reset link instead (--reset, or "reset": true)',
    ]);
    await rt.directory.users.transition(actor, "bo@example.com", "activate");
    const session = await rt.signIn.signIn("portal", "bo@example.com", "bo-first-password");
    const reset = await rt.activation.issue(actor, "bo@example.com", { reset: true });
    expect(reset.purpose).toBe("reset");
    await rt.activation.complete(tokenOf(reset.url), { password: "bo-second-password" });
    expect(await rt.signIn.session(session.sessionId)).toBeNull();
    await expect(rt.signIn.signIn("portal", "bo@example.com", "bo-first-password")).rejects.toThrow();
    expect((await rt.signIn.signIn("portal", "bo@example.com", "bo-second-password")).user.profile.login).toBe(
      "bo@example.com",
    );
  });

  it("refuses an expired link and logs the attempt", async () => {
    await person(rt, "cy@example.com");
    const { url } = await rt.activation.issue(actor, "cy@example.com", { ttlMs: parseLinkTtl("1h") });
    clock.offsetMs += 3600_000 + 1000;
    try {
      const expired = await failure(rt.activation.complete(tokenOf(url), { password: "cy-long-password" }));
      expect([expired?.code, expired?.message]).toEqual([
        "illegal_transition",
        "this link has expired: ask your administrator for a new one",
      ]);
    } finally {
      clock.offsetMs = 0;
    }
    const events = (await rt.store.log.list({}, { limit: 100 })).items;
    const expiredEvent = events.find((e) => e.action === "user.activation_link.expired");
    expect([expiredEvent?.outcome, expiredEvent?.target?.display]).toEqual(["FAILURE", "cy@example.com"]);
  });

  it("refuses lifetimes outside 5m..30d and malformed ones", () => {
    expect(parseLinkTtl("72h")).toBe(72 * 3600_000);
    expect(parseLinkTtl("7d")).toBe(7 * 86_400_000);
    for (const bad of ["1m", "31d", "72", "h", "-5h", "1.5h"]) expect(() => parseLinkTtl(bad)).toThrow(/5m and 30d/);
  });
});

describe.each(backends)("activation when the org requires MFA on $name", (backend) => {
  let rt: Runtime;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ runtime: rt, cleanup } = await testRuntime(backend, { security: { requireMfa: true } }));
  });
  afterAll(async () => cleanup?.());

  it("enrols an authenticator with the password: the code must match the secret the page showed", async () => {
    await person(rt, "di@example.com");
    const token = tokenOf((await rt.activation.issue(actor, "di@example.com")).url);
    const view = await rt.activation.open(token);
    expect(view.enrolTotp?.uri).toMatch(/^otpauth:\/\/totp\/rolebridge:di%40example\.com\?/);
    const enrol = view.enrolTotp!;
    expect((await failure(rt.activation.complete(token, { password: "di-long-password" })))?.code).toBe(
      "validation_failed",
    );
    const wrong = currentTotpCode(enrol.secret, new Date(Date.now() - 10 * 60_000));
    expect(
      (
        await failure(
          rt.activation.complete(token, { password: "di-long-password", totp: { sealed: enrol.sealed, code: wrong } }),
        )
      )?.message,
    ).toBe("the verification code is not correct");
    const code = currentTotpCode(enrol.secret, new Date());
    await rt.activation.complete(token, { password: "di-long-password", totp: { sealed: enrol.sealed, code } });
    expect(
      (await rt.store.users.credentials((await rt.directory.users.get("di@example.com")).id))?.totpSecretSealed,
    ).toBeTruthy();
    const noCode = await failure(rt.signIn.signIn("portal", "di@example.com", "di-long-password"));
    expect(noCode?.details.secondFactor).toBe("totp");
  });
});
