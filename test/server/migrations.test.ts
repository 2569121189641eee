import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { seedEstate } from "../core/migration/estate.js";
import { backends } from "../helpers/backends.js";
import { expectError, expectNothingWritten, type Harness, openHarness } from "./harness.js";

const body = { from: "aws-legacy", to: "aws-groups", offline: true };

describe.each(backends)("/api/v1/migrations on $name", (backend) => {
  let h: Harness;
  beforeEach(async () => {
    h = await openHarness(backend);
    await seedEstate(h.runtime.store, { joinAllRoles: true });
  });
  afterEach(() => h.close());

  it("plans, proves, applies, reports, cuts over and rolls back, as the CLI does", async () => {
    const plan = await h.call({ method: "POST", url: "/api/v1/migrations/plan", body });
    expect(plan.statusCode).toBe(200);
    expect(plan.json()).toMatchObject({ format: "rolebridge.migration.plan", counts: { roleGroups: 5, rules: 2 } });
    const before = await h.call({ method: "POST", url: "/api/v1/migrations/verify", body });
    expect(before.json()).toEqual({ people: 5, identical: 5, differences: [] });

    const applied = await h.call({ method: "POST", url: "/api/v1/migrations/apply", body });
    expect(applied.statusCode).toBe(200);
    expect(applied.json()).toMatchObject({ state: "applied", resumed: false });
    const live = await h.call({ method: "POST", url: "/api/v1/migrations/verify", body });
    expect(live.json()).toEqual({ people: 5, identical: 5, differences: [] });

    const html = await h.call({ method: "POST", url: "/api/v1/migrations/report?format=html", body });
    expect(html.headers["content-type"]).toMatch(/^text\/html/);
    expect(html.body).toMatch(/^<!doctype html>/);
    expect(html.body).not.toMatch(/<script|<link|src=/);
    expect(html.body).toContain("5 of 5 people identical");
    const md = await h.call({ method: "POST", url: "/api/v1/migrations/report", body });
    expect(md.body).toContain("# Migration report: aws-legacy → aws-groups");
    // By GET, for the console's links: the same documents; the HTML page's own <style> is all it may apply.
    const query = "from=aws-legacy&to=aws-groups&offline=true";
    const page = await h.call({ method: "GET", url: `/api/v1/migrations/report?${query}&format=html` });
    expect(page.body).toBe(html.body);
    const style = /<style>([\s\S]*?)<\/style>/.exec(page.body)![1]!;
    const hash = createHash("sha256").update(style).digest("base64");
    expect(page.headers["content-security-policy"]).toBe(
      `default-src 'none'; style-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
    const download = await h.call({ method: "GET", url: `/api/v1/migrations/report?${query}&format=md` });
    expect(download.body).toBe(md.body);
    expect(download.headers["content-disposition"]).toBe(
      'attachment; filename="migration-aws-legacy-to-aws-groups.md"',
    );
    expectError(
      await h.call({ method: "GET", url: "/api/v1/migrations/report?to=aws-groups" }),
      400,
      "validation_failed",
    );

    expect((await h.call({ method: "POST", url: "/api/v1/migrations/cutover", body })).statusCode).toBe(200);
    expect((await h.runtime.store.apps.getBySlug("aws-legacy"))?.status).toBe("INACTIVE");
    const back = await h.call({ method: "POST", url: "/api/v1/migrations/rollback", body });
    expect(back.json()).toMatchObject({ legacyReactivated: true });
    const removed = await h.call({ method: "POST", url: "/api/v1/migrations/rollback", body });
    expect(removed.json()).toMatchObject({ state: "rolled_back" });
    expect(await h.runtime.store.apps.getBySlug("aws-groups")).toBeNull();
  });

  it("shows the last apply's and rollback's progress for polling, step by step", async () => {
    const url = "/api/v1/migrations/progress?from=aws-legacy&to=aws-groups";
    expectError(await h.call({ method: "GET", url }), 404, "not_found");
    const applied = (await h.call({ method: "POST", url: "/api/v1/migrations/apply", body })).json();
    const afterApply = (await h.call({ method: "GET", url })).json();
    expect(afterApply).toMatchObject({ verb: "apply", running: false, total: applied.steps, done: applied.done });
    expect(afterApply.passed).toBe(applied.done + applied.skipped + applied.failed.length);
    expect(afterApply.lastStep).toEqual(expect.any(String));
    const back = (await h.call({ method: "POST", url: "/api/v1/migrations/rollback", body })).json();
    expect((await h.call({ method: "GET", url })).json()).toMatchObject({
      verb: "rollback",
      running: false,
      total: back.undone,
      undone: back.undone,
      done: 0,
    });
    // Another migration's progress is its own.
    const other = "/api/v1/migrations/progress?from=aws-legacy&to=aws-other";
    expectError(await h.call({ method: "GET", url: other }), 404, "not_found");
  });

  it("refuses bad input with the one error shape, writing nothing", async () => {
    await expectNothingWritten(h, async () => {
      expectError(
        await h.call({ method: "POST", url: "/api/v1/migrations/apply", body: { ...body, to: "Not A Slug" } }),
        400,
        "validation_failed",
      );
      expectError(
        await h.call({ method: "POST", url: "/api/v1/migrations/plan", body: { ...body, source: "csv" } }),
        400,
        "validation_failed",
      );
      expectError(
        await h.call({ method: "POST", url: "/api/v1/migrations/plan", body: { ...body, from: "nope" } }),
        404,
        "not_found",
      );
      expectError(await h.call({ method: "POST", url: "/api/v1/migrations/cutover", body }), 404, "not_found");
      const template = await h.call({
        method: "POST",
        url: "/api/v1/migrations/plan",
        body: { ...body, template: "aws-{role}" },
      });
      expect(expectError(template, 400, "validation_failed").details).toMatchObject({
        errors: [{ path: "/template", message: "{account} is required" }],
      });
    });
  });
});
