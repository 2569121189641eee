/** Roles and credentials: the end-user API for the role's SAMLResponse, then STS AssumeRoleWithSAML. */
import type { CliAwsRole } from "../../core/device-auth/aws.js";
import { CliError } from "../output.js";
import {
  type CredentialsRequest,
  credentialsPurpose,
  freshFromCache,
  type ProcessCredentials,
  requestParts,
} from "./cached.js";
import { cacheKey, credentialsPath, seal, writePrivateFile } from "./files.js";
import { apiCall } from "./server.js";
import { asPerson } from "./session.js";

/** The roles the server lists for the CLI: the wire type is the server's, not written twice. */
export type CliRole = CliAwsRole;

/** Where STS is when no endpoint is given: the partition's global or first region. */
const DEFAULT_REGION: Record<string, string> = {
  aws: "us-east-1",
  "aws-us-gov": "us-gov-west-1",
  "aws-cn": "cn-north-1",
};

export async function listRoles(dir: string, url: string): Promise<CliRole[]> {
  const { apps } = await asPerson(dir, url, (token) =>
    apiCall<{ apps: { roles: CliRole[] }[] }>(url, token, "GET", "/api/v1/me/aws/roles"),
  );
  return apps.flatMap((a) => a.roles);
}

/**
 * `alias/role`, `account-id/role` or the role's ARN, through `app` when given (a role can be reachable through
 * several apps); an ambiguous or unknown name lists what there is.
 */
export function pickRole(all: CliRole[], wanted: string, app?: string): CliRole {
  const roles = app ? all.filter((r) => r.app === app) : all;
  if (app && !roles.length) {
    const apps = [...new Set(all.map((r) => r.app))].join(", ") || "none";
    throw new CliError(`you have no roles through the app ${app}; your apps: ${apps}`, "not_found");
  }
  const lower = wanted.toLowerCase();
  const matches = wanted.startsWith("arn:")
    ? roles.filter((r) => r.roleArn === wanted)
    : roles.filter((r) => r.name.toLowerCase() === lower || `${r.accountId}/${r.roleName}`.toLowerCase() === lower);
  const unique = [...new Map(matches.map((r) => [r.roleArn, r])).values()];
  if (unique.length === 1) return unique[0]!;
  const known = roles.map((r) => r.name).join(", ") || "none";
  if (unique.length === 0) throw new CliError(`you have no role ${wanted}; your roles: ${known}`, "not_found");
  throw new CliError(`${wanted} names several roles; use the role ARN: ${unique.map((r) => r.roleArn).join(", ")}`);
}

async function assumeRole(
  request: CredentialsRequest,
  role: CliRole,
  samlAssertion: string,
): Promise<ProcessCredentials> {
  // The SDK is loaded only here: the cached path never pays for it. Its Node-version notice would land on the
  // AWS CLI's terminal through credential_process's stderr: a program's credentials helper stays quiet.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const { STSClient, AssumeRoleWithSAMLCommand } = await import("@aws-sdk/client-sts");
  const sts = new STSClient({
    region: request.region || DEFAULT_REGION[role.partition] || "us-east-1",
    ...(request.stsEndpoint ? { endpoint: request.stsEndpoint } : {}),
    maxAttempts: 2,
  });
  try {
    const out = await sts.send(
      new AssumeRoleWithSAMLCommand({
        RoleArn: role.roleArn,
        PrincipalArn: role.providerArn,
        SAMLAssertion: samlAssertion,
        DurationSeconds: request.duration,
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new CliError("STS answered without credentials", "remote_failed", { system: "aws" });
    }
    return {
      Version: 1,
      AccessKeyId: c.AccessKeyId,
      SecretAccessKey: c.SecretAccessKey,
      SessionToken: c.SessionToken,
      Expiration: c.Expiration.toISOString(),
    };
  } catch (err) {
    if (err instanceof CliError) throw err;
    const e = err as { name?: string; message?: string };
    throw new CliError(
      `AWS STS refused ${role.name}: ${e.name ?? "Error"}: ${e.message ?? String(err)}`,
      "remote_failed",
      {
        system: "aws",
        remoteCode: e.name ?? null,
        remoteMessage: e.message ?? null,
      },
    );
  } finally {
    sts.destroy();
  }
}

/** Credentials for one role: from the cache while fresh, else a new SAMLResponse and STS; cached 0600, sealed. */
export async function credentialsFor(dir: string, request: CredentialsRequest): Promise<ProcessCredentials> {
  const cached = freshFromCache(dir, request);
  if (cached) return cached;
  const { role, saml } = await asPerson(dir, request.url, async (token) => {
    const roles = (
      await apiCall<{ apps: { roles: CliRole[] }[] }>(request.url, token, "GET", "/api/v1/me/aws/roles")
    ).apps.flatMap((a) => a.roles);
    const role = pickRole(roles, request.role, request.app);
    const path = `/api/v1/me/apps/${encodeURIComponent(role.app)}/saml`;
    return { role, saml: await apiCall<{ samlResponse: string }>(request.url, token, "POST", path) };
  });
  const credentials = await assumeRole(request, role, saml.samlResponse);
  writePrivateFile(
    credentialsPath(dir, requestParts(request)),
    seal(cacheKey(dir, true)!, credentialsPurpose, credentials),
  );
  return credentials;
}
