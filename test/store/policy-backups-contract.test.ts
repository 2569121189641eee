import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../src/core/ids.js";
import type { Store } from "../../src/store/contract.js";
import type { PolicyBackup } from "../../src/store/contract-policy.js";
import { backends } from "../helpers/backends.js";

const t = (minute: number) => new Date(Date.UTC(2026, 2, 1, 0, minute)).toISOString();

describe.each(backends)("policy backups on $name", (backend) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await backend.open());
  });
  afterAll(async () => cleanup?.());

  const backup = (appId: string, over: Partial<PolicyBackup> = {}): PolicyBackup => ({
    id: newId("pbk"),
    appId,
    principalArn: "arn:aws:iam::111122223333:user/service/okta-api-user",
    target: { kind: "inline", principal: "user", principalName: "okta-api-user", policyName: "okta" },
    oldDocument: '{"Version":"2012-10-17","Statement":[]}',
    newDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*"}]}',
    oldVersionId: null,
    newVersionId: null,
    deletedVersion: null,
    status: "applying",
    reason: null,
    createdAt: t(0),
    updatedAt: t(0),
    ...over,
  });

  it("keeps the old document, follows the fix's states, and finds the newest in a state", async () => {
    const app = await store.apps.insert({
      id: newId("app"),
      slug: `aws-${Math.random().toString(36).slice(2, 10)}`,
      type: "aws-account-federation",
      label: "AWS",
      status: "ACTIVE",
      settings: {},
      at: t(0),
    });
    const first = backup(app.id);
    await store.policyBackups.insert(first);
    await store.policyBackups.update(first.id, { status: "applied" }, t(1));
    const second = backup(app.id, {
      target: { kind: "managed", policyArn: "arn:aws:iam::111122223333:policy/okta" },
      oldDocument: null,
      oldVersionId: "v3",
    });
    await store.policyBackups.insert(second);
    await store.policyBackups.update(
      second.id,
      {
        status: "restored",
        reason: "refresh failed",
        newVersionId: "v4",
        deletedVersion: { versionId: "v1", document: "{}" },
      },
      t(2),
    );
    expect(await store.policyBackups.latest(app.id, ["applied"])).toEqual({
      ...first,
      status: "applied",
      updatedAt: t(1),
    });
    expect(await store.policyBackups.latest(app.id, ["applied", "restored"])).toMatchObject({
      id: second.id,
      status: "restored",
      reason: "refresh failed",
      newVersionId: "v4",
      deletedVersion: { versionId: "v1", document: "{}" },
      target: { kind: "managed" },
    });
    expect((await store.policyBackups.list(app.id)).map((b) => b.id)).toEqual([second.id, first.id]);
    expect(await store.policyBackups.latest(app.id, ["rolled_back"])).toBeNull();
  });
});
