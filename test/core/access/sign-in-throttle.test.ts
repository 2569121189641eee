import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignInService } from "../../../src/core/access/sign-in.js";
import type { Actor } from "../../../src/core/audit.js";
import { directory } from "../../../src/core/directory/index.js";
import { DomainError } from "../../../src/core/errors.js";
import type { Clock } from "../../../src/core/ids.js";
import type { Store } from "../../../src/store/contract.js";
import { backends } from "../../helpers/backends.js";

const actor: Actor = { type: "cli", id: null, display: "test" };
const MAX = 5;

class FakeClock implements Clock {
  t = Date.parse("2026-03-01T00:00:00.000Z");
  now = () => new Date(this.t);
  advance(ms: number) {
    this.t += ms;
  }
}

const outcome = (p: Promise<unknown>) =>
  p.then(
    () => "resolved",
    (e: unknown) => (e instanceof DomainError ? e.code : String(e)),
  );

describe.each(backends)("sign-in throttling on $name", (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  const clock = new FakeClock();
  let service: SignInService;
  const logins: string[] = [];

  beforeAll(async () => {
    const opened = await backend.open();
    store = opened.store;
    cleanup = opened.cleanup;
    const users = directory(store, clock).users;
    service = new SignInService(
      store,
      { maxAttempts: MAX, lockoutMinutes: 15, sessionTtlMinutes: 60, perAddressAttempts: 20 },
      clock,
    );
    for (let i = 0; i < 8; i++) {
      const login = `p${i}@example.com`;
      logins.push(login);
      const profile = { login, email: login, firstName: null, lastName: null, displayName: null };
      await users.create(actor, { profile, password: "right-password-1" });
    }
  });
  afterAll(async () => cleanup?.());

  const attempt = (login: string, password: string, address = "192.0.2.1") =>
    outcome(service.signIn("portal", login, password, null, undefined, address));

  it("checks at most the allowed number of passwords out of 100 concurrent attempts", async () => {
    const results = await Promise.all(Array.from({ length: 100 }, () => attempt(logins[0]!, "wrong")));
    expect(results.filter((r) => r === "unauthorized").length).toBeLessThanOrEqual(MAX);
    expect(results.filter((r) => r === "locked_out").length).toBeGreaterThanOrEqual(100 - MAX);
  });

  it("lets the right password in among 30 concurrent attempts only if it was within the limit", async () => {
    const results = await Promise.all([
      ...Array.from({ length: 29 }, () => attempt(logins[1]!, "wrong")),
      attempt(logins[1]!, "right-password-1"),
    ]);
    const checked = results.filter((r) => r !== "locked_out");
    expect(checked.length).toBeLessThanOrEqual(MAX);
    expect(results.filter((r) => r === "resolved").length).toBeLessThanOrEqual(1);
  });

  it("answers an unknown login exactly like a known one, throttle included", async () => {
    const known: string[] = [];
    const unknown: string[] = [];
    for (let i = 0; i < MAX + 1; i++) {
      known.push(await attempt(logins[2]!, "wrong", "192.0.2.3"));
      unknown.push(await attempt("nobody@example.com", "wrong", "192.0.2.3"));
    }
    expect(unknown).toEqual(known);
    expect(known.at(-1)).toBe("locked_out");
  });

  it("does not re-lock on a single failure after the lock expires", async () => {
    for (let i = 0; i < MAX; i++) await attempt(logins[3]!, "wrong", "192.0.2.4");
    expect(await attempt(logins[3]!, "right-password-1", "192.0.2.4")).toBe("locked_out");
    clock.advance(16 * 60_000);
    expect(await attempt(logins[3]!, "wrong", "192.0.2.4")).toBe("unauthorized");
    expect(await attempt(logins[3]!, "right-password-1", "192.0.2.4")).toBe("resolved");
  });

  it("throttles per client address: another address still signs in, one address cannot spray", async () => {
    for (let i = 0; i < MAX; i++) await attempt(logins[4]!, "wrong", "198.51.100.9");
    expect(await attempt(logins[4]!, "right-password-1", "198.51.100.9")).toBe("locked_out");
    expect(await attempt(logins[4]!, "right-password-1", "203.0.113.7")).toBe("resolved");
    const spray: string[] = [];
    for (let i = 0; i < 25; i++) spray.push(await attempt(`spray${i}@example.com`, "wrong", "198.51.100.77"));
    expect(spray.at(-1)).toBe("locked_out");
    expect(await attempt(logins[5]!, "right-password-1", "198.51.100.77")).toBe("locked_out");
  });

  it("lets an administrator unlock a person, and the System Log shows both", async () => {
    for (let i = 0; i < MAX; i++) await attempt(logins[6]!, "wrong", "192.0.2.6");
    expect(await attempt(logins[6]!, "right-password-1", "192.0.2.6")).toBe("locked_out");
    await service.unlock(actor, logins[6]!);
    expect(await attempt(logins[6]!, "right-password-1", "192.0.2.6")).toBe("resolved");
    const log = await store.log.list({}, { limit: 500 });
    expect(log.items.some((e) => e.action === "user.account.unlock_by_admin")).toBe(true);
    expect(log.items.some((e) => e.outcome === "FAILURE" && e.summary.reason === "throttled")).toBe(true);
  });

  it("tells when a person is locked: not before the limit, at one address from it, no longer after the window", async () => {
    const login = logins[7]!;
    for (let i = 0; i < MAX - 1; i++) await attempt(login, "wrong", "192.0.2.7");
    expect(await service.lockOf(login)).toEqual({ locked: false, until: null, everywhere: false });
    const start = clock.now().getTime();
    await attempt(login, "wrong", "192.0.2.7");
    const lock = await service.lockOf(login);
    expect(lock).toMatchObject({ locked: true, everywhere: false });
    expect(Date.parse(lock.until!) - start).toBeLessThanOrEqual(15 * 60_000);
    expect(await attempt(login, "right-password-1", "192.0.2.7")).toBe("locked_out");
    clock.advance(15 * 60_000 + 1);
    expect(await service.lockOf(login)).toEqual({ locked: false, until: null, everywhere: false });
    expect(await attempt(login, "right-password-1", "192.0.2.7")).toBe("resolved");
  });
});
