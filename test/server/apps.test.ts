import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "../helpers/backends.js";
import { expectError, expectNothingWritten, type Harness, openHarness, profile } from "./harness.js";

const ACCOUNT = "222233334444";

describe.each(backends)("apps admin API on $name", (backend) => {
  let h: Harness;
  let groupId: string;
  beforeAll(async () => {
    h = await openHarness(backend);
    await h.call({ method: "POST", url: "/api/v1/users", body: { profile: profile("alice@example.com") } });
    const g = await h.call({
      method: "POST",
      url: "/api/v1/groups",
      body: { profile: { name: `aws#northamerica-production#Admin#${ACCOUNT}` }, source: "active_directory" },
    });
    groupId = g.json().id;
    await h.call({ method: "PUT", url: `/api/v1/groups/${groupId}/users/alice@example.com` });
  });
  afterAll(async () => h?.close());

  const settings = { useGroupMapping: true, appFilter: "active_directory", defaultSamlProviderName: "rolebridge" };

  it("creates an app with an active signing key in one step", async () => {
    const res = await h.call({
      method: "POST",
      url: "/api/v1/apps",
      body: { slug: "aws-prod", type: "aws-account-federation", label: "AWS", settings },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      slug: "aws-prod",
      status: "ACTIVE",
      settings: { sessionDuration: 3600, partition: "aws" },
    });
    const keys = await h.call({ method: "GET", url: "/api/v1/apps/aws-prod/credentials/keys" });
    expect(keys.json().map((k: { state: string }) => k.state)).toEqual(["active"]);
    expect(keys.body).not.toContain("privateKey");
  });

  it("refuses bad settings, unknown fields and duplicate slugs, writing nothing", async () => {
    await expectNothingWritten(h, async () => {
      const bad = expectError(
        await h.call({
          method: "POST",
          url: "/api/v1/apps",
          body: {
            slug: "aws-bad",
            type: "aws-account-federation",
            label: "AWS",
            settings: { ...settings, groupFilter: "(?{{role}}[a-z" },
          },
        }),
        400,
        "validation_failed",
      );
      expect((bad.details.errors as { path: string }[])[0]?.path).toBe("/settings/groupFilter");
      expectError(
        await h.call({
          method: "POST",
          url: "/api/v1/apps",
          body: { slug: "aws-x", type: "aws-account-federation", label: "x", colour: "red" },
        }),
        400,
        "validation_failed",
      );
      expectError(
        await h.call({
          method: "POST",
          url: "/api/v1/apps",
          body: { slug: "aws-prod", type: "aws-account-federation", label: "again" },
        }),
        409,
        "conflict",
      );
      expectError(
        await h.call({ method: "POST", url: "/api/v1/apps/aws-prod", body: { settings: { sessionDuration: 10 } } }),
        400,
        "validation_failed",
      );
    });
    expect((await h.call({ method: "GET", url: "/api/v1/apps/aws-bad" })).statusCode).toBe(404);
  });

  it("assigns a group and explains the roles alice gets, with the reason", async () => {
    const res = await h.call({ method: "PUT", url: `/api/v1/apps/aws-prod/groups/${groupId}`, body: {} });
    expect(res.statusCode).toBe(200);
    const explain = await h.call({ method: "GET", url: "/api/v1/apps/aws-prod/explain?user=alice@example.com" });
    const body = explain.json();
    expect(body.roles.map((r: { roleArn: string }) => r.roleArn)).toEqual([`arn:aws:iam::${ACCOUNT}:role/Admin`]);
    expect(body.roles[0].reasons[0]).toMatchObject({ kind: "group-mapping", source: "active_directory" });
    expectError(
      await h.call({ method: "PUT", url: "/api/v1/apps/aws-prod/users/nobody@example.com", body: {} }),
      404,
      "not_found",
    );
    expectError(
      await h.call({
        method: "PUT",
        url: "/api/v1/apps/aws-prod/users/alice@example.com",
        body: { profile: { samlRoles: [{ roleArn: "arn:aws:iam::1:role/X" }] } },
      }),
      400,
      "validation_failed",
    );
  });

  it("takes a group assignment's priority, refuses one on a person, and answers lint's upgrade notices", async () => {
    const res = await h.call({ method: "PUT", url: `/api/v1/apps/aws-prod/groups/${groupId}`, body: { priority: 0 } });
    expect(res.json()).toMatchObject({ principalType: "group", priority: 0 });
    await expectNothingWritten(h, async () => {
      const onUser = expectError(
        await h.call({ method: "PUT", url: "/api/v1/apps/aws-prod/users/alice@example.com", body: { priority: 0 } }),
        400,
        "validation_failed",
      );
      expect(onUser.details.errors).toEqual([{ path: "/priority", message: "only group assignments have a priority" }]);
      expectError(
        await h.call({ method: "PUT", url: `/api/v1/apps/aws-prod/groups/${groupId}`, body: { priority: -1 } }),
        400,
        "validation_failed",
      );
    });
    const lint = await h.call({ method: "GET", url: "/api/v1/apps/aws-prod/lint" });
    expect(lint.json().upgradeNotices).toEqual([]);
    expectError(
      await h.call({ method: "POST", url: "/api/v1/apps/aws-prod/upgrade-notices/upg_nope/acknowledge" }),
      404,
      "not_found",
    );
  });

  it("rotates keys: next is published, activated, then the previous one retired", async () => {
    const next = await h.call({ method: "POST", url: "/api/v1/apps/aws-prod/credentials/keys", body: {} });
    expect(next.statusCode).toBe(201);
    const meta = await h.call({ method: "GET", url: "/app/aws-prod/saml/metadata", token: null });
    expect(meta.body.match(/<ds:X509Certificate>/g)).toHaveLength(2);
    const nextId = next.json().id;
    expect(
      (
        await h.call({ method: "POST", url: `/api/v1/apps/aws-prod/credentials/keys/${nextId}/lifecycle/activate` })
      ).json().state,
    ).toBe("active");
    const keys = (await h.call({ method: "GET", url: "/api/v1/apps/aws-prod/credentials/keys" })).json() as {
      id: string;
      state: string;
    }[];
    const previous = keys.find((k) => k.state === "previous")!;
    expectError(
      await h.call({ method: "POST", url: `/api/v1/apps/aws-prod/credentials/keys/${nextId}/lifecycle/retire` }),
      409,
      "illegal_transition",
    );
    expect(
      (
        await h.call({ method: "POST", url: `/api/v1/apps/aws-prod/credentials/keys/${previous.id}/lifecycle/retire` })
      ).json().state,
    ).toBe("retired");
    const after = await h.call({ method: "GET", url: "/app/aws-prod/saml/metadata", token: null });
    expect(after.body.match(/<ds:X509Certificate>/g)).toHaveLength(1);
  });

  it("lints the app and needs a token for everything", async () => {
    const lint = await h.call({ method: "GET", url: "/api/v1/apps/aws-prod/lint" });
    expect(lint.json()).toMatchObject({
      groupFilter: { checked: 1, matched: 1, missed: [] },
      responseSize: { atRisk: [] },
    });
    expectError(await h.call({ method: "GET", url: "/api/v1/apps", token: null }), 401, "unauthorized");
  });

  it("deactivates, then deletes, an app; deleting an active one is refused", async () => {
    expectError(await h.call({ method: "DELETE", url: "/api/v1/apps/aws-prod" }), 409, "illegal_transition");
    expect((await h.call({ method: "POST", url: "/api/v1/apps/aws-prod/lifecycle/deactivate" })).json().status).toBe(
      "INACTIVE",
    );
    expect((await h.call({ method: "DELETE", url: "/api/v1/apps/aws-prod" })).statusCode).toBe(204);
    const log = await h.call({ method: "GET", url: "/api/v1/logs?action=application.lifecycle.delete" });
    expect(log.json()[0]).toMatchObject({ actor: { type: "token" }, target: { type: "app", display: "aws-prod" } });
  });
});
