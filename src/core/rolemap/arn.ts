/**
 * IAM ARNs that appear in the SAML `Role` attribute: the role ARN and the SAML provider ARN.
 * Rules follow IAM's documented limits so a bad value is caught on save, not at AWS sign-in.
 */

export const AWS_PARTITIONS = ["aws", "aws-us-gov", "aws-cn"] as const;
export type AwsPartition = (typeof AWS_PARTITIONS)[number];

export function isAwsPartition(value: string): value is AwsPartition {
  return (AWS_PARTITIONS as readonly string[]).includes(value);
}

export const ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;
export const PROVIDER_NAME_PATTERN = /^[\w.-]{1,128}$/;
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
/** IAM path: `/` or `/segments/` of printable ASCII, at most 512 characters. */
const ROLE_PATH_PATTERN = /^(?:\/|\/[\x21-\x7e]+\/)$/;
const MAX_ROLE_PATH_LENGTH = 512;

export interface RoleArn {
  arn: string;
  partition: AwsPartition;
  accountId: string;
  /** `/` when the role has no path. */
  path: string;
  roleName: string;
}

export interface ProviderArn {
  arn: string;
  partition: AwsPartition;
  accountId: string;
  providerName: string;
}

export type ArnResult<T> = { ok: true; value: T } | { ok: false; reason: string };

function splitIamArn(
  arn: string,
  expectedPartition: AwsPartition,
  resourceType: string,
): ArnResult<{ accountId: string; resource: string }> {
  const prefix = `arn:${expectedPartition}:iam::`;
  if (!arn.startsWith(prefix)) {
    const partition = arn.startsWith("arn:") ? arn.split(":")[1] : undefined;
    return {
      ok: false,
      reason:
        partition !== undefined && partition !== expectedPartition
          ? `partition "${partition}" differs from the app's partition "${expectedPartition}"`
          : `must start with "${prefix}"`,
    };
  }
  const rest = arn.slice(prefix.length);
  const accountId = rest.slice(0, 12);
  if (!ACCOUNT_ID_PATTERN.test(accountId) || rest[12] !== ":") {
    return { ok: false, reason: "account id must be exactly 12 digits" };
  }
  const resource = rest.slice(13);
  if (!resource.startsWith(`${resourceType}/`)) {
    return { ok: false, reason: `resource must start with "${resourceType}/"` };
  }
  return { ok: true, value: { accountId, resource: resource.slice(resourceType.length + 1) } };
}

export function parseRoleArn(arn: string, partition: AwsPartition): ArnResult<RoleArn> {
  const split = splitIamArn(arn, partition, "role");
  if (!split.ok) return split;
  const { accountId, resource } = split.value;
  const lastSlash = resource.lastIndexOf("/");
  const roleName = resource.slice(lastSlash + 1);
  const path = `/${resource.slice(0, lastSlash + 1)}`;
  if (!ROLE_NAME_PATTERN.test(roleName)) {
    return {
      ok: false,
      reason:
        roleName.length > 64
          ? `role name is ${roleName.length} characters; IAM allows at most 64`
          : `role name "${roleName}" must be 1-64 characters of letters, digits and _+=,.@-`,
    };
  }
  if (path.length > MAX_ROLE_PATH_LENGTH || !ROLE_PATH_PATTERN.test(path)) {
    return { ok: false, reason: `role path "${path}" must be "/" or "/segments/" of printable ASCII, ≤ 512 chars` };
  }
  return { ok: true, value: { arn, partition, accountId, path, roleName } };
}

export function parseProviderArn(arn: string, partition: AwsPartition): ArnResult<ProviderArn> {
  const split = splitIamArn(arn, partition, "saml-provider");
  if (!split.ok) return split;
  const { accountId, resource } = split.value;
  if (!PROVIDER_NAME_PATTERN.test(resource)) {
    return {
      ok: false,
      reason: `SAML provider name "${resource}" must be 1-128 characters of letters, digits and _.-`,
    };
  }
  return { ok: true, value: { arn, partition, accountId, providerName: resource } };
}

export function providerArnFor(partition: AwsPartition, accountId: string, providerName: string): string {
  return `arn:${partition}:iam::${accountId}:saml-provider/${providerName}`;
}

export interface RolePair {
  role: RoleArn;
  provider: ProviderArn;
}

const PROVIDER_AT_START = /^arn:[a-z-]+:iam::\d{12}:saml-provider\/[\w.-]{1,128},/;
const PROVIDER_AT_END = /,arn:[a-z-]+:iam::\d{12}:saml-provider\/[\w.-]{1,128}$/;

/**
 * Parses a rendered Role value in either order (`provider,role` or `role,provider`). Role names may
 * contain commas but provider names may not, so the provider ARN is located first to split safely.
 */
const pairCache = new Map<string, ArnResult<RolePair>>();
const PAIR_CACHE_LIMIT = 50_000;

/** Cached: the same rendered values recur for every member of a role group. Results are frozen. */
export function parseRolePair(value: string, partition: AwsPartition): ArnResult<RolePair> {
  const key = `${partition} ${value}`;
  let result = pairCache.get(key);
  if (result === undefined) {
    result = deepFreeze(parseRolePairUncached(value, partition));
    if (pairCache.size >= PAIR_CACHE_LIMIT) pairCache.clear();
    pairCache.set(key, result);
  }
  return result;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

function parseRolePairUncached(value: string, partition: AwsPartition): ArnResult<RolePair> {
  let providerPart: string;
  let rolePart: string;
  const atStart = PROVIDER_AT_START.exec(value);
  const atEnd = atStart ? null : PROVIDER_AT_END.exec(value);
  if (atStart) {
    providerPart = atStart[0].slice(0, -1);
    rolePart = value.slice(atStart[0].length);
  } else if (atEnd) {
    providerPart = atEnd[0].slice(1);
    rolePart = value.slice(0, value.length - atEnd[0].length);
  } else {
    return { ok: false, reason: 'must be "<provider ARN>,<role ARN>" (either order) with a saml-provider ARN' };
  }
  const provider = parseProviderArn(providerPart, partition);
  if (!provider.ok) return { ok: false, reason: `provider ARN: ${provider.reason}` };
  const role = parseRoleArn(rolePart, partition);
  if (!role.ok) return { ok: false, reason: `role ARN: ${role.reason}` };
  if (/[,:]/.test(role.value.path)) {
    // IAM allows these in paths, but here they would let a captured value smuggle a second ARN.
    return {
      ok: false,
      reason: `role path "${role.value.path}" contains "," or ":", which makes the Role value ambiguous`,
    };
  }
  if (role.value.roleName.includes(",")) {
    // IAM allows "," in role names, but the Role value is comma-separated: a third part is dropped or misread.
    return {
      ok: false,
      reason: `role name "${role.value.roleName}" contains ",", which a SAML Role value cannot carry (it is split at commas)`,
    };
  }
  if (role.value.accountId !== provider.value.accountId) {
    return {
      ok: false,
      reason: `role account ${role.value.accountId} differs from provider account ${provider.value.accountId}; AWS requires the SAML provider in the role's account`,
    };
  }
  return { ok: true, value: { role: role.value, provider: provider.value } };
}
