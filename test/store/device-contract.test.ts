import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../src/core/ids.js";
import type { Store } from "../../src/store/contract.js";
import { backends } from "../helpers/backends.js";

const t = (minute: number) => new Date(Date.UTC(2026, 2, 1, 0, minute)).toISOString();

describe.each(backends)("device authorizations and CLI sessions on $name", (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let userId: string;
  beforeAll(async () => {
    ({ store, cleanup } = await backend.open());
    userId = (
      await store.users.insert({
        id: newId("usr"),
        profile: { login: "dana", email: "dana@example.com", firstName: null, lastName: null, displayName: null },
        status: "ACTIVE",
        passwordHash: null,
        at: t(0),
      })
    ).id;
  });
  afterAll(async () => cleanup?.());

  const authorization = (suffix: string) =>
    store.deviceAuthorizations.insert({
      id: newId("dva"),
      deviceCodeHash: `device-${suffix}`,
      userCodeHash: `user-${suffix}`,
      clientId: "rolebridge-cli",
      scope: "aws",
      intervalSeconds: 5,
      at: t(0),
      expiresAt: t(10),
    });

  it("finds an authorization by either hash, decides it once, and lets it be consumed once", async () => {
    const a = await authorization("a");
    expect(a).toMatchObject({ status: "pending", userId: null, intervalSeconds: 5, lastPolledAt: null });
    expect((await store.deviceAuthorizations.getByUserCodeHash("user-a"))?.id).toBe(a.id);
    await store.deviceAuthorizations.recordPoll(a.id, t(1), 10);
    expect(await store.deviceAuthorizations.getByDeviceCodeHash("device-a")).toMatchObject({
      lastPolledAt: t(1),
      intervalSeconds: 10,
    });
    expect(await store.deviceAuthorizations.consume(a.id, t(2))).toBe(false);
    expect(await store.deviceAuthorizations.decide(a.id, "approved", userId, t(2))).toBe(true);
    expect(await store.deviceAuthorizations.decide(a.id, "denied", userId, t(2))).toBe(false);
    expect(await store.deviceAuthorizations.consume(a.id, t(3))).toBe(true);
    expect(await store.deviceAuthorizations.consume(a.id, t(3))).toBe(false);
    expect((await store.deviceAuthorizations.getByDeviceCodeHash("device-a"))?.status).toBe("consumed");
    await authorization("b");
    expect(await store.deviceAuthorizations.deleteExpired(t(10))).toBe(2);
    expect(await store.deviceAuthorizations.getByUserCodeHash("user-b")).toBeNull();
  });

  it("rotates a session's tokens only with the current refresh token, and revokes", async () => {
    const s = await store.cliSessions.insert({
      id: newId("cls"),
      userId,
      clientId: "rolebridge-cli",
      accessTokenHash: "access-1",
      refreshTokenHash: "refresh-1",
      accessExpiresAt: t(60),
      sessionExpiresAt: t(600),
      at: t(0),
    });
    expect(await store.cliSessions.findActiveByAccessHash("access-1", t(59))).toEqual(s);
    expect(await store.cliSessions.findActiveByAccessHash("access-1", t(60))).toBeNull();
    const next = { accessTokenHash: "access-2", refreshTokenHash: "refresh-2", accessExpiresAt: t(120) };
    expect(await store.cliSessions.rotate(s.id, "refresh-1", next)).toBe(true);
    expect(await store.cliSessions.rotate(s.id, "refresh-1", { ...next, refreshTokenHash: "refresh-3" })).toBe(false);
    expect(await store.cliSessions.findByRefreshHash("refresh-1")).toBeNull();
    expect(await store.cliSessions.findActiveByAccessHash("access-2", t(61))).toMatchObject({ id: s.id });
    await store.cliSessions.touch(s.id, t(61));
    expect((await store.cliSessions.get(s.id))?.lastUsed).toBe(t(61));
    expect(await store.cliSessions.revokeAllForUser(userId, t(62))).toBe(1);
    expect(await store.cliSessions.revoke(s.id, t(63))).toBe(false);
    expect(await store.cliSessions.findActiveByAccessHash("access-2", t(62))).toBeNull();
    expect(await store.cliSessions.rotate(s.id, "refresh-2", { ...next, refreshTokenHash: "refresh-4" })).toBe(false);
    expect((await store.cliSessions.listForUser(userId)).map((x) => x.revokedAt)).toEqual([t(62)]);
  });
});
