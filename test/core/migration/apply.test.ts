import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LegacyApiService } from "../../../src/core/apps/legacy-api.js";
import { SigningKeyService } from "../../../src/core/apps/signing-keys.js";
import { SecretBox } from "../../../src/core/crypto/secretbox.js";
import { MembershipRuleService } from "../../../src/core/directory/membership-rules.js";
import { systemClock } from "../../../src/core/ids.js";
import { MigrationWriter } from "../../../src/core/migration/apply.js";
import { rulesOf } from "../../../src/core/migration/index.js";
import type { PlanOptions } from "../../../src/core/migration/plan-model.js";
import { MigrationReader } from "../../../src/core/migration/service.js";
import type { Store } from "../../../src/store/contract.js";
import { backends } from "../../helpers/backends.js";
import { actor, seedEstate } from "./estate.js";

const options: PlanOptions = {
  to: "aws-groups",
  template: "aws#{alias}#{role}#{account}",
  source: "local",
  mode: "static",
};

async function snapshot(store: Store) {
  const groups = (await store.groups.list({}, { limit: 1000 })).items.map((g) => `${g.source}/${g.name}`).sort();
  const apps = (await store.apps.list({}, { limit: 100 })).items.map((a) => `${a.slug}:${a.status}`).sort();
  return { groups, apps, memberships: await store.memberships.count() };
}

describe.each(backends)("migration apply, rollback and cut-over on $name", (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let writer: MigrationWriter;
  let reader: MigrationReader;
  let estate: Awaited<ReturnType<typeof seedEstate>>;

  beforeEach(async () => {
    ({ store, cleanup } = await backend.open());
    estate = await seedEstate(store, { joinAllRoles: true });
    const secrets = new SecretBox(randomBytes(32));
    const legacyApi = new LegacyApiService(store, estate.apps, secrets);
    const rules = rulesOf(new MembershipRuleService(store));
    const deps = {
      store,
      clock: systemClock,
      legacyApi,
      apps: estate.apps,
      signingKeys: new SigningKeyService(store, secrets),
      publicUrl: "http://127.0.0.1:1",
      rules,
    };
    writer = new MigrationWriter(deps);
    reader = new MigrationReader(deps);
  });
  afterEach(() => cleanup());

  it("applies the plan as journaled steps, proves it against live state, and a second apply changes nothing", async () => {
    const before = await snapshot(store);
    const first = await writer.apply(actor, "aws-legacy", options, { offline: true });
    expect(first).toMatchObject({ resumed: false, state: "applied", skipped: 0 });
    expect(first.done).toBe(first.steps);
    const verified = await reader.verify("aws-legacy", options, { offline: true });
    expect(verified.against).toBe("live");
    expect(verified.result).toEqual({ people: 5, identical: 5, differences: [] });

    const after = await snapshot(store);
    expect(after.apps).toEqual(["aws-groups:ACTIVE", "aws-legacy:ACTIVE"]);
    expect(after.groups.filter((g) => g.startsWith("local/aws#")).length).toBe(5);
    const again = await writer.apply(actor, "aws-legacy", options, { offline: true });
    expect(again).toMatchObject({ resumed: true, done: 0, skipped: first.steps });
    expect(await snapshot(store)).toEqual(after);
    const log = await store.log.list({ action: "group.lifecycle.create" }, { limit: 100 });
    expect(log.items.filter((e) => e.summary.migration).length).toBe(5);

    await expect(writer.apply(actor, "aws-legacy", { ...options, source: "active_directory" })).rejects.toThrow(
      /applied with other options \(source\)/,
    );
    const rolled = await writer.rollback(actor, "aws-legacy", "aws-groups");
    expect(rolled).toMatchObject({ state: "rolled_back", undone: first.steps });
    expect(await snapshot(store)).toEqual(before);
  });

  it("cuts over only after apply, and rollback after cut-over switches the legacy app back on", async () => {
    await expect(writer.cutover(actor, "aws-legacy", options)).rejects.toThrow(/no applied migration/);
    await writer.apply(actor, "aws-legacy", options, { offline: true });
    const cut = await writer.cutover(actor, "aws-legacy", options);
    expect(cut.proof.differences).toEqual([]);
    expect((await store.apps.getBySlug("aws-legacy"))?.status).toBe("INACTIVE");
    // The proof still compares what the legacy app granted before it was switched off.
    expect((await reader.verify("aws-legacy", options)).result.differences).toEqual([]);
    expect(await writer.rollback(actor, "aws-legacy", "aws-groups")).toMatchObject({ legacyReactivated: true });
    expect((await store.apps.getBySlug("aws-legacy"))?.status).toBe("ACTIVE");
    expect(await writer.rollback(actor, "aws-legacy", "aws-groups")).toMatchObject({ state: "rolled_back" });
    expect(await store.apps.getBySlug("aws-groups")).toBeNull();
  });

  it("refuses a plan with blocking findings and writes nothing", async () => {
    await estate.dir.groups.create(actor, { name: "aws#prod#Admin#111111111111", source: "local" });
    const before = await snapshot(store);
    await expect(writer.apply(actor, "aws-legacy", options, { offline: true })).rejects.toThrow(/blocking finding/);
    expect(await snapshot(store)).toEqual(before);
  });

  it("keeps group assignments dynamic through membership rules, and rollback removes them", async () => {
    const applied = await writer.apply(actor, "aws-legacy", { ...options, mode: "rules" }, { offline: true });
    expect((await store.membershipRules.list()).length).toBe(2);
    expect((await reader.verify("aws-legacy", options)).result.differences).toEqual([]);
    // Someone who joins ops later gains its role through the target, as they would have through the legacy app.
    const newcomer = await estate.dir.users.create(actor, {
      profile: {
        login: "new@example.com",
        email: "new@example.com",
        firstName: null,
        lastName: null,
        displayName: null,
      },
    });
    await estate.dir.groups.addMember(actor, estate.groups.ops.id, newcomer.id);
    const live = await reader.verify("aws-legacy", options);
    expect(live.result).toMatchObject({ people: 6, identical: 6, differences: [] });
    const rolled = await writer.rollback(actor, "aws-legacy", "aws-groups");
    expect(rolled.undone).toBe(applied.steps);
    expect(await store.membershipRules.list()).toEqual([]);
  });

  it("resumes after a failure part-way and ends where an uninterrupted apply ends", async () => {
    let calls = 0;
    // The third membership write fails, as if the process died there: its step's transaction rolls back.
    const origTx = store.transaction.bind(store);
    store.transaction = (fn) =>
      origTx((tx) => {
        const add = tx.memberships.add.bind(tx.memberships);
        tx.memberships.add = async (...args) => {
          calls += 1;
          if (calls === 3) throw new Error("disk on fire");
          return add(...args);
        };
        return fn(tx);
      });
    await expect(writer.apply(actor, "aws-legacy", options, { offline: true })).rejects.toThrow(/disk on fire/);
    const partial = await store.migrationJournal.latestRun(
      (await store.apps.getBySlug("aws-legacy"))!.id,
      "aws-groups",
    );
    expect(partial?.state).toBe("applying");
    const resumed = await writer.apply(actor, "aws-legacy", options, { offline: true });
    expect(resumed.resumed).toBe(true);
    expect(resumed.skipped).toBeGreaterThan(0);
    expect((await reader.verify("aws-legacy", options)).result).toMatchObject({ identical: 5, differences: [] });
  });
});
