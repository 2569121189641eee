import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Value } from "@sinclair/typebox/value";
import { checkPolicyDocument } from "../iam/documents.js";
import { AdminError, newInstance, permissionSetFor, tokenFor } from "../identity-center/admin.js";
import { TOKEN_LIFETIME_MS } from "../identity-center/model.js";
import { AwsError } from "../protocol/errors.js";
import { parseIdpMetadata } from "../saml/metadata.js";
import { policyArn, roleArn, samlProviderArn, userArn } from "./arns.js";
import { type Fixture, FixtureSchema } from "./fixture-schema.js";
import { iamId } from "./ids.js";
import type { SandboxState } from "./model.js";

export class FixtureError extends Error {}

/** `src/sandbox/state` and `dist/sandbox/state` both sit three levels below the package root. */
const FIXTURE_DIR = fileURLToPath(new URL("../../../fixtures/sandbox/", import.meta.url));

/** Accepts a bundled fixture name ("demo"), a path to a JSON file, or an already-parsed object. */
export function readFixture(source: string | object): { fixture: Fixture; label: string } {
  let raw: unknown = source;
  let label = "fixture";
  if (typeof source === "string") {
    const path = /^[\w-]+$/.test(source) ? `${FIXTURE_DIR}${source}.json` : source;
    label = path;
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      throw new FixtureError(`fixture ${source}: cannot read ${path}`);
    }
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new FixtureError(`fixture ${path}: invalid JSON (${(err as Error).message})`);
    }
  }
  const problem = Value.Errors(FixtureSchema, raw).First();
  if (problem) throw new FixtureError(`${label}: ${problem.path || "/"}: ${problem.message}`);
  return { fixture: raw as Fixture, label };
}

/** Turns a schema-valid fixture into state, refusing references and documents IAM itself would refuse. */
export function stateFromFixture(fixture: Fixture, label = "fixture", now = new Date()): SandboxState {
  const fail = (where: string, message: string): never => {
    throw new FixtureError(`${label}: ${where}: ${message}`);
  };
  const created = now.toISOString();
  const accountIds = new Set<string>();
  fixture.accounts.forEach((account, i) => {
    if (accountIds.has(account.id)) fail(`/accounts/${i}/id`, `duplicate account ${account.id}`);
    accountIds.add(account.id);
  });
  if (!accountIds.has(fixture.organization.managementAccountId)) {
    fail("/organization/managementAccountId", "not one of the accounts");
  }
  const requireAccount = (where: string, id: string) => {
    if (id !== "aws" && !accountIds.has(id)) fail(where, `unknown account ${id}`);
  };
  const document = (where: string, value: object, kind: "identity" | "trust" | "managed") => {
    const text = JSON.stringify(value);
    try {
      checkPolicyDocument(text, kind);
    } catch (err) {
      fail(where, err instanceof AwsError ? err.message : String(err));
    }
    return text;
  };
  const unique = (seen: Set<string>, key: string, where: string) => {
    if (seen.has(key.toLowerCase())) fail(where, `duplicate ${key}`);
    seen.add(key.toLowerCase());
  };

  const policySeen = new Set<string>();
  const policies = (fixture.managedPolicies ?? []).map((p, i) => {
    requireAccount(`/managedPolicies/${i}/accountId`, p.accountId);
    const path = p.path ?? "/";
    const arn = policyArn(p.accountId, path, p.name);
    unique(policySeen, `${p.accountId}:${p.name}`, `/managedPolicies/${i}/name`);
    return {
      accountId: p.accountId,
      name: p.name,
      path,
      arn,
      policyId: iamId("ANPA", arn),
      description: p.description,
      defaultVersionId: "v1",
      nextVersion: 2,
      versions: [
        {
          versionId: "v1",
          document: document(`/managedPolicies/${i}/document`, p.document, "managed"),
          createDate: created,
        },
      ],
      createDate: created,
      updateDate: created,
    };
  });
  const policyArns = new Set(policies.map((p) => p.arn));
  const attached = (where: string, arns: string[] | undefined) => {
    (arns ?? []).forEach((arn, j) => {
      if (!policyArns.has(arn)) fail(`${where}/${j}`, `no managed policy ${arn}`);
    });
    return [...new Set(arns ?? [])];
  };
  const inline = (where: string, docs: Record<string, object> | undefined) =>
    Object.fromEntries(
      Object.entries(docs ?? {}).map(([name, doc]) => [name, document(`${where}/${name}`, doc, "identity")]),
    );

  const roleSeen = new Set<string>();
  const roles = (fixture.roles ?? []).map((r, i) => {
    requireAccount(`/roles/${i}/accountId`, r.accountId);
    unique(roleSeen, `${r.accountId}:${r.name}`, `/roles/${i}/name`);
    const path = r.path ?? "/";
    const arn = roleArn(r.accountId, path, r.name);
    return {
      accountId: r.accountId,
      name: r.name,
      path,
      arn,
      roleId: iamId("AROA", arn),
      description: r.description,
      maxSessionDuration: r.maxSessionDuration ?? 3600,
      trustPolicy: document(`/roles/${i}/trustPolicy`, r.trustPolicy, "trust"),
      inlinePolicies: inline(`/roles/${i}/inlinePolicies`, r.inlinePolicies),
      attachedPolicyArns: attached(`/roles/${i}/attachedPolicies`, r.attachedPolicies),
      createDate: created,
    };
  });

  const userSeen = new Set<string>();
  const keySeen = new Set<string>();
  const users = (fixture.users ?? []).map((u, i) => {
    requireAccount(`/users/${i}/accountId`, u.accountId);
    unique(userSeen, `${u.accountId}:${u.name}`, `/users/${i}/name`);
    const path = u.path ?? "/";
    const arn = userArn(u.accountId, path, u.name);
    const accessKeys = (u.accessKeys ?? []).map((k, j) => {
      unique(keySeen, k.accessKeyId, `/users/${i}/accessKeys/${j}/accessKeyId`);
      return { ...k, status: "Active" as const, createDate: created };
    });
    if (accessKeys.length > 2) fail(`/users/${i}/accessKeys`, "at most 2 access keys per user");
    return {
      accountId: u.accountId,
      name: u.name,
      path,
      arn,
      userId: iamId("AIDA", arn),
      inlinePolicies: inline(`/users/${i}/inlinePolicies`, u.inlinePolicies),
      attachedPolicyArns: attached(`/users/${i}/attachedPolicies`, u.attachedPolicies),
      accessKeys,
      createDate: created,
    };
  });

  const providerSeen = new Set<string>();
  const samlProviders = (fixture.samlProviders ?? []).map((p, i) => {
    requireAccount(`/samlProviders/${i}/accountId`, p.accountId);
    unique(providerSeen, `${p.accountId}:${p.name}`, `/samlProviders/${i}/name`);
    return {
      accountId: p.accountId,
      name: p.name,
      arn: samlProviderArn(p.accountId, p.name),
      metadata: p.metadata,
      createDate: created,
      validUntil: new Date(now.getTime() + 100 * 365 * 86400_000).toISOString(),
    };
  });

  const aliasSeen = new Set<string>();
  fixture.accounts.forEach((a, i) => {
    if (a.alias) unique(aliasSeen, a.alias, `/accounts/${i}/alias`);
  });

  const tenantSeen = new Set<string>();
  const instances = (fixture.identityCenter?.instances ?? []).map((f, i) => {
    const where = `/identityCenter/instances/${i}`;
    unique(tenantSeen, f.tenantId, `${where}/tenantId`);
    const instance = newInstance(f.tenantId, f.region, created);
    try {
      (f.scimTokens ?? []).forEach((t) => {
        tokenFor(instance, t.token, t.expiresAt ?? new Date(now.getTime() + TOKEN_LIFETIME_MS).toISOString(), created);
      });
      (f.permissionSets ?? []).forEach((p) => {
        permissionSetFor(instance, p.name, p.description, p.sessionDuration);
      });
    } catch (err) {
      fail(where, err instanceof AdminError ? err.message : String(err));
    }
    if (f.samlMetadata !== undefined) {
      if (typeof parseIdpMetadata(f.samlMetadata) === "string")
        fail(`${where}/samlMetadata`, "Could not parse metadata");
      instance.samlMetadata = f.samlMetadata;
    }
    return instance;
  });

  return {
    organization: { ...fixture.organization, featureSet: "ALL" },
    accounts: fixture.accounts.map((a) => ({ ...a, joinedTimestamp: created })),
    roles,
    users,
    policies,
    samlProviders,
    sessions: [],
    identityCenter: { instances },
  };
}
