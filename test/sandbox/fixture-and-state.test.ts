import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  GetPolicyCommand,
  GetRoleCommand,
} from "@aws-sdk/client-iam";
import { afterEach, describe, expect, it } from "vitest";
import { DEMO, FixtureError, type SandboxHandle, startSandbox } from "../../src/sandbox/index.js";
import { readFixture, stateFromFixture } from "../../src/sandbox/state/fixture.js";
import { SandboxStore } from "../../src/sandbox/state/store.js";
import { ADMIN, clients, failure, MANAGEMENT } from "./helpers/sandbox.js";

const demo = () => JSON.parse(readFileSync(new URL("../../fixtures/sandbox/demo.json", import.meta.url), "utf8"));
const load = (fixture: object) => {
  const { fixture: checked, label } = readFixture(fixture);
  return stateFromFixture(checked, label);
};

describe("fixture files", () => {
  it("seeds the demo organization: five accounts, the legacy role in each member, the API-mode user", () => {
    const state = load(demo());
    expect(state.accounts.map((a) => a.alias)).toEqual([
      "acme-management",
      "northamerica-production",
      "northamerica-staging",
      "europe-production",
      "shared-services",
    ]);
    const crossAccount = state.roles.filter((r) => r.name === "Okta-Idp-cross-account-role");
    expect(crossAccount.map((r) => r.accountId)).toEqual([
      "222233334444",
      "333344445555",
      "444455556666",
      "555566667777",
    ]);
    expect(JSON.parse(crossAccount[0]!.trustPolicy).Statement[0].Principal.AWS).toBe(`arn:aws:iam::${MANAGEMENT}:root`);
    expect(state.roles.some((r) => r.name.includes("."))).toBe(true);
    expect(state.roles.some((r) => r.path !== "/")).toBe(true);
    const user = state.users.find((u) => u.name === "okta-api-user");
    expect(user?.accessKeys[0]?.accessKeyId).toBe("AKIAROLEBRIDGEDEMO01");
  });

  it("refuses a schema violation and names where it is", () => {
    const fixture = demo();
    fixture.roles[3].maxSessionDuration = 60;
    expect(() => load(fixture)).toThrow(FixtureError);
    expect(() => load(fixture)).toThrow(/\/roles\/3\/maxSessionDuration/);
    const unknown = demo();
    unknown.accounts[0].colour = "blue";
    expect(() => load(unknown)).toThrow(/\/accounts\/0/);
  });

  it("refuses dangling references, duplicates and malformed policies", () => {
    const dangling = demo();
    dangling.roles[0].attachedPolicies = ["arn:aws:iam::aws:policy/DoesNotExist"];
    expect(() => load(dangling)).toThrow(
      "fixture: /roles/0/attachedPolicies/0: no managed policy arn:aws:iam::aws:policy/DoesNotExist",
    );
    const duplicate = demo();
    duplicate.roles.push({ ...duplicate.roles[0], name: duplicate.roles[0].name.toUpperCase() });
    expect(() => load(duplicate)).toThrow(/duplicate/);
    const malformed = demo();
    malformed.users[0].inlinePolicies["okta-legacy-api-mode"].Statement[0].Action = "sts.AssumeRole";
    expect(() => load(malformed)).toThrow(/\/users\/0\/inlinePolicies\/okta-legacy-api-mode/);
    const noManagement = demo();
    noManagement.organization.managementAccountId = "999999999999";
    expect(() => load(noManagement)).toThrow(/managementAccountId: not one of the accounts/);
  });

  it("refuses unreadable and malformed fixture files precisely", () => {
    expect(() => readFixture("no-such-fixture")).toThrow(/fixture no-such-fixture: cannot read/);
    const dir = mkdtempSync(join(tmpdir(), "rolebridge-fixture-"));
    try {
      const path = join(dir, "broken.json");
      writeFileSync(path, '{"organization": ');
      expect(() => readFixture(path)).toThrow(new RegExp(`^fixture ${path}: invalid JSON`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("persistence", () => {
  let sandbox: SandboxHandle | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await sandbox?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("keeps changes across restarts of the same data dir and ignores the fixture once seeded", async () => {
    dir = mkdtempSync(join(tmpdir(), "rolebridge-sandbox-"));
    sandbox = await startSandbox({ dataDir: dir });
    const trust = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${MANAGEMENT}:root` }, Action: "sts:AssumeRole" }],
    });
    await clients(sandbox, ADMIN).iam.send(
      new CreateRoleCommand({ RoleName: "Persisted", AssumeRolePolicyDocument: trust }),
    );
    await sandbox.close();
    sandbox = await startSandbox({ dataDir: dir, fixture: { nonsense: true } });
    const { Role } = await clients(sandbox, ADMIN).iam.send(new GetRoleCommand({ RoleName: "Persisted" }));
    expect(Role?.Arn).toBe(`arn:aws:iam::${MANAGEMENT}:role/Persisted`);
  });

  it("discards a mutation that throws after changing its draft, in memory and on disk", () => {
    dir = mkdtempSync(join(tmpdir(), "rolebridge-sandbox-"));
    const store = SandboxStore.open(dir, () => load(demo()));
    expect(() =>
      store.mutate((draft) => {
        draft.roles = [];
        throw new Error("failed half-way");
      }),
    ).toThrow("failed half-way");
    expect(store.state.roles.length).toBeGreaterThan(0);
    store.close();
    const reopened = SandboxStore.open(dir, () => {
      throw new Error("must not reseed");
    });
    expect(reopened.state.roles.length).toBeGreaterThan(0);
    reopened.close();
  });

  it("leaves state untouched when an operation is refused", async () => {
    sandbox = await startSandbox({});
    const { iam } = clients(sandbox, ADMIN);
    const doc = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "iam:Get*", Resource: "*" }],
    });
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: "Limits", PolicyDocument: doc }));
    for (let i = 0; i < 4; i++)
      await iam.send(new CreatePolicyVersionCommand({ PolicyArn: Policy!.Arn!, PolicyDocument: doc }));
    const before = JSON.stringify(sandbox.state());
    expect(
      (
        await failure(
          iam.send(
            new CreatePolicyVersionCommand({ PolicyArn: Policy!.Arn!, PolicyDocument: doc, SetAsDefault: true }),
          ),
        )
      ).name,
    ).toBe("LimitExceededException");
    expect(JSON.stringify(sandbox.state())).toBe(before);
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: Policy!.Arn! }))).Policy?.DefaultVersionId).toBe("v1");
  });
});

describe("DEMO constants", () => {
  it("match the demo fixture", () => {
    const state = load(demo());
    expect(state.organization).toMatchObject({
      id: DEMO.organizationId,
      managementAccountId: DEMO.managementAccountId,
    });
    expect(Object.fromEntries(state.accounts.map((a) => [a.alias, a.id]))).toEqual(DEMO.accounts);
    for (const user of [DEMO.apiUser, DEMO.admin]) {
      const stored = state.users.find((u) => u.name === user.userName);
      expect(stored?.arn).toBe(user.arn);
      expect(stored?.accessKeys[0]).toMatchObject({
        accessKeyId: user.accessKeyId,
        secretAccessKey: user.secretAccessKey,
      });
    }
  });
});
