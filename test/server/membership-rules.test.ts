import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../helpers/backends.js";
import { expectError, expectNothingWritten, type Harness, openHarness, profile } from "./harness.js";

describe.each(backends)("membership rules admin API on $name", (backend) => {
  let h: Harness;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    h = await openHarness(backend);
    await h.call({ method: "POST", url: "/api/v1/users", body: { profile: profile("alice@example.com") } });
    for (const name of ["team", "role"]) {
      ids[name] = (await h.call({ method: "POST", url: "/api/v1/groups", body: { profile: { name } } })).json().id;
    }
    await h.call({ method: "PUT", url: `/api/v1/groups/${ids.team}/users/alice@example.com` });
  });
  afterAll(async () => h?.close());

  it("creates, lists and deletes a rule; members follow", async () => {
    const created = await h.call({
      method: "POST",
      url: "/api/v1/membership-rules",
      body: { fromGroupId: ids.team, toGroupId: ids.role },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ fromGroupId: ids.team, toGroupId: ids.role, joined: 1 });
    const members = await h.call({ method: "GET", url: `/api/v1/groups/${ids.role}/users` });
    expect(members.json().map((u: { profile: { login: string } }) => u.profile.login)).toEqual(["alice@example.com"]);
    const listed = await h.call({ method: "GET", url: "/api/v1/membership-rules" });
    expect(listed.json().map((r: { id: string }) => r.id)).toEqual([created.json().id]);

    await expectNothingWritten(h, async () => {
      expectError(
        await h.call({
          method: "POST",
          url: "/api/v1/membership-rules",
          body: { fromGroupId: ids.role, toGroupId: ids.team },
        }),
        409,
        "conflict",
      );
      expectError(
        await h.call({ method: "POST", url: "/api/v1/membership-rules", body: { fromGroupId: ids.team, extra: 1 } }),
        400,
        "validation_failed",
      );
      expectError(
        await h.call({ method: "DELETE", url: `/api/v1/groups/${ids.role}/users/alice@example.com` }),
        409,
        "conflict",
      );
    });

    const deleted = await h.call({ method: "DELETE", url: `/api/v1/membership-rules/${created.json().id}` });
    expect(deleted.json()).toEqual({ left: 1 });
    expect((await h.call({ method: "GET", url: `/api/v1/groups/${ids.role}/users` })).json()).toEqual([]);
    expectError(
      await h.call({ method: "GET", url: `/api/v1/membership-rules/${created.json().id}` }),
      404,
      "not_found",
    );
  });
});
