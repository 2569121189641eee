import {
  CreatePolicyVersionCommand,
  GetPolicyCommand,
  GetUserPolicyCommand,
  ListPolicyVersionsCommand,
} from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../../src/core/audit.js";
import { defaultAwsClients } from "../../../src/core/aws/clients.js";
import { PolicyService } from "../../../src/core/policy/service.js";
import type { Runtime } from "../../../src/runtime.js";
import { DEMO, type SandboxHandle, startSandbox } from "../../../src/sandbox/index.js";
import { backends } from "../../helpers/backends.js";
import { testRuntime } from "../../helpers/runtime.js";
import { clients } from "../../sandbox/helpers/sandbox.js";
import { demoFixture } from "./demo-context.js";

const actor: Actor = { type: "cli", id: null, display: "test" };
const ACCOUNT = DEMO.managementAccountId;
const accounts = Object.values(DEMO.accounts);
const secret = (tag: string) => `rbPolicyTest/${tag}`.padEnd(40, "x");
const key = (id: string) => ({ accessKeyId: id, secretAccessKey: secret(id.slice(-5)) });
const LIMITED = key("AKIAPOLICYTESTLIMIT1");
const EMPTY = key("AKIAPOLICYTESTEMPTY1");
const MANAGED = key("AKIAPOLICYTESTMANAG1");
const SPARE = key("AKIAPOLICYTESTSPARE1");
const MANAGED_ARN = `arn:aws:iam::${ACCOUNT}:policy/okta/OktaLegacyApi`;

const broad = {
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" },
    { Effect: "Allow", Action: ["iam:ListRoles", "iam:ListAccountAliases"], Resource: "*" },
  ],
};

/** The demo fixture plus API users that each break one assumption of the audit. */
function fixture() {
  const base = demoFixture() as unknown as Record<string, unknown[]>;
  const self = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
  return {
    ...base,
    managedPolicies: [
      ...(base.managedPolicies ?? []),
      { accountId: ACCOUNT, name: "OktaLegacyApi", path: "/okta/", document: broad },
    ],
    users: [
      ...(base.users ?? []),
      {
        accountId: ACCOUNT,
        name: "okta-limited",
        accessKeys: [LIMITED],
        inlinePolicies: {
          legacy: {
            Version: "2012-10-17",
            Statement: [
              ...broad.Statement,
              {
                Effect: "Allow",
                Action: [
                  "iam:GetUser",
                  "iam:ListUserPolicies",
                  "iam:ListAttachedUserPolicies",
                  "iam:ListAccessKeys",
                  "iam:GetAccessKeyLastUsed",
                ],
                Resource: self("okta-limited"),
              },
            ],
          },
        },
      },
      { accountId: ACCOUNT, name: "okta-empty", accessKeys: [EMPTY] },
      { accountId: ACCOUNT, name: "okta-managed", accessKeys: [MANAGED, SPARE], attachedPolicies: [MANAGED_ARN] },
    ],
  };
}

describe.each(backends)("policy audit and fix refuse bad input on $name", (backend) => {
  let rt: Runtime;
  let sandbox: SandboxHandle;
  let cleanup: () => Promise<void>;
  let policy: PolicyService;
  /** Set to make every AssumeRole the integration sends fail, as a policy that broke the refresh would. */
  let breakAssumeRole = false;

  const app = async (
    slug: string,
    keys: { accessKeyId: string; secretAccessKey: string },
    opts: { admin?: boolean; extraAccounts?: string[] } = {},
  ) => {
    await rt.apps.create(actor, {
      slug,
      type: "aws-account-federation",
      label: slug,
      settings: {
        defaultSamlProviderName: "okta",
        api: {
          enabled: true,
          endpointUrl: sandbox.url,
          connectedAccountIds: [...accounts, ...(opts.extraAccounts ?? [])],
        },
      },
    });
    await rt.legacyApi.setCredentials(actor, slug, keys);
    if (opts.admin !== false) await policy.setAdminCredentials(actor, slug, DEMO.admin);
  };

  beforeAll(async () => {
    ({ runtime: rt, cleanup } = await testRuntime(backend));
    sandbox = await startSandbox({ fixture: fixture() as never });
    policy = new PolicyService(rt.store, rt.apps, rt.legacyApi, rt.secrets, rt.clock, { verifyDelaysMs: [0] });
    // The integration's own calls go through a factory that can make AssumeRole fail on demand.
    (rt.legacyApi as unknown as { clients: typeof defaultAwsClients }).clients = async (target, credentials) => {
      const made = await defaultAwsClients(target, credentials);
      const send = made.sts.send.bind(made.sts);
      made.sts.send = ((command: { constructor: { name: string } }) => {
        if (breakAssumeRole && command.constructor.name === "AssumeRoleCommand")
          return Promise.reject(Object.assign(new Error("injected"), { name: "AccessDenied" }));
        return send(command as never);
      }) as typeof made.sts.send;
      return made;
    };
    await app("limited", LIMITED, { admin: false });
    await app("empty", EMPTY);
    await app("managed", MANAGED);
    await app("far", DEMO.apiUser, { extraAccounts: ["999988887777"] });
    await app("restore", DEMO.apiUser);
  });
  afterAll(async () => {
    await sandbox?.close();
    await cleanup?.();
  });

  it("a key without iam:GetUserPolicy: the audit names the permission and what it could not check; the fix writes nothing", async () => {
    const { findings } = await policy.audit("limited");
    expect(findings).toContainEqual(
      expect.objectContaining({
        code: "cannot_read",
        message: `the credentials lack iam:GetUserPolicy on arn:aws:iam::${ACCOUNT}:user/okta-limited: the inline policy legacy was not checked`,
      }),
    );
    expect(findings.map((f) => f.code)).not.toContain("integration_call_denied");
    await expect(policy.fix(actor, "limited")).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringContaining("incomplete, so nothing was changed"),
    });
    expect(await rt.store.policyBackups.list((await rt.apps.get("limited")).id)).toEqual([]);
  });

  it("a principal with no policies: reported, and nothing written while its own account cannot be listed", async () => {
    const { findings } = await policy.audit("empty");
    expect(findings.map((f) => f.code)).toEqual(
      expect.arrayContaining(["no_policies", "integration_call_denied", "account_unreachable"]),
    );
    // Its own account cannot be listed (no iam:ListRoles): nothing may be written while the audit is blind.
    await expect(policy.fix(actor, "empty")).rejects.toMatchObject({ code: "conflict" });
  });

  it("an account that cannot be reached: reported per account, and the fix writes nothing", async () => {
    const { findings } = await policy.audit("far");
    expect(findings).toContainEqual(
      expect.objectContaining({
        code: "account_unreachable",
        message: expect.stringMatching(/^account 999988887777 could not be read \(AccessDenied/),
      }),
    );
    await expect(policy.fix(actor, "far")).rejects.toMatchObject({ code: "conflict" });
    const doc = await clients(sandbox, DEMO.admin).iam.send(
      new GetUserPolicyCommand({ UserName: "okta-api-user", PolicyName: "okta-legacy-api-mode" }),
    );
    expect(JSON.parse(decodeURIComponent(doc.PolicyDocument!)).Statement[0].Resource).toBe("*");
  });

  it("a named principal that does not exist is an AWS failure, said with AWS's code", async () => {
    await expect(
      policy.audit("restore", { principalArn: `arn:aws:iam::${ACCOUNT}:user/nobody` }),
    ).rejects.toMatchObject({
      code: "remote_failed",
      message: expect.stringMatching(/^reading arn:aws:iam::111122223333:user\/nobody failed: NoSuchEntity/),
    });
  });

  it("a principal named in another connected account is read through the cross-account role's session", async () => {
    const arn = "arn:aws:iam::222233334444:role/Admin";
    const { findings, principalArn } = await policy.audit("restore", { principalArn: arn });
    expect(principalArn).toBe(arn);
    // The cross-account role may only list roles there: every read of Admin's policies is refused, and said so.
    expect(findings).toContainEqual(
      expect.objectContaining({
        code: "cannot_read",
        message: `the credentials lack iam:GetRole on ${arn}: that the principal exists was not checked`,
      }),
    );
    await expect(policy.audit("restore", { principalArn: "arn:aws:iam::123456789012:user/x" })).rejects.toMatchObject({
      code: "validation_failed",
      message: "account 123456789012 is not a connected account of this app",
    });
  });

  it("a document that is not IAM grammar: the error names line, column and path", async () => {
    const text =
      '{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allw", "Action": "sts:AssumeRole", "Resource": "*"}]\n}';
    const column = text.split("\n")[2]!.indexOf('"Allw"') + 1;
    await expect(policy.audit("restore", { file: { name: "p.json", text } })).rejects.toMatchObject({
      code: "validation_failed",
      message: expect.stringMatching(
        new RegExp(
          `^p\\.json is not an IAM identity policy: Effect must be present .* at line 3, column ${column} \\(Statement\\[0\\]\\.Effect\\)$`,
        ),
      ),
    });
    await expect(
      policy.audit("restore", { file: { name: "p.json", text: '{"Version": "2012-10-17",}' } }),
    ).rejects.toMatchObject({
      message: "p.json is not JSON: PropertyNameExpected at line 1, column 26",
    });
  });

  it("a refresh that fails through the new policy: the old policy is restored automatically and the reason said", async () => {
    const iam = clients(sandbox, DEMO.admin).iam;
    const before = (
      await iam.send(new GetUserPolicyCommand({ UserName: "okta-api-user", PolicyName: "okta-legacy-api-mode" }))
    ).PolicyDocument;
    breakAssumeRole = true;
    try {
      await expect(policy.fix(actor, "restore")).rejects.toMatchObject({
        code: "remote_failed",
        message: expect.stringMatching(
          /^the refresh through the new policy failed for 222233334444 \(AccessDenied: injected\).*; the old policy was restored$/,
        ),
      });
    } finally {
      breakAssumeRole = false;
    }
    expect(
      (await iam.send(new GetUserPolicyCommand({ UserName: "okta-api-user", PolicyName: "okta-legacy-api-mode" })))
        .PolicyDocument,
    ).toBe(before);
    const [backup] = await rt.store.policyBackups.list((await rt.apps.get("restore")).id);
    expect(backup).toMatchObject({ status: "restored", reason: expect.stringContaining("AccessDenied: injected") });
    const log = await rt.store.log.list({}, { limit: 100 });
    expect(log.items).toContainEqual(
      expect.objectContaining({ action: "application.aws.policy.fix", outcome: "FAILURE" }),
    );
  });

  it("a managed policy at IAM's 5 versions: the oldest spare version is saved and deleted, the new one is default, rollback puts v1 back", async () => {
    const iam = clients(sandbox, DEMO.admin).iam;
    for (let i = 0; i < 4; i++)
      await iam.send(new CreatePolicyVersionCommand({ PolicyArn: MANAGED_ARN, PolicyDocument: JSON.stringify(broad) }));
    const { findings } = await policy.audit("managed");
    expect(findings).toContainEqual(expect.objectContaining({ code: "assume_role_wildcard", policy: MANAGED_ARN }));
    expect(findings).toContainEqual(
      expect.objectContaining({ code: "key_unused", message: expect.stringContaining(SPARE.accessKeyId) }),
    );
    const fixed = await policy.fix(actor, "managed");
    expect(fixed.target).toEqual({ kind: "managed", policyArn: MANAGED_ARN });
    const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: MANAGED_ARN }))).Versions ?? [];
    expect(versions.map((v) => v.VersionId)).toEqual(["v6", "v5", "v4", "v3", "v1"]);
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: MANAGED_ARN }))).Policy?.DefaultVersionId).toBe("v6");
    const [backup] = await rt.store.policyBackups.list((await rt.apps.get("managed")).id);
    expect(backup).toMatchObject({
      status: "applied",
      oldVersionId: "v1",
      newVersionId: "v6",
      deletedVersion: { versionId: "v2" },
    });
    await policy.rollback(actor, "managed");
    expect((await iam.send(new GetPolicyCommand({ PolicyArn: MANAGED_ARN }))).Policy?.DefaultVersionId).toBe("v1");
    expect(
      ((await iam.send(new ListPolicyVersionsCommand({ PolicyArn: MANAGED_ARN }))).Versions ?? []).map(
        (v) => v.VersionId,
      ),
    ).toEqual(["v5", "v4", "v3", "v1"]);
  });
});
