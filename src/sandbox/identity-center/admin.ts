import { createHash, randomBytes, randomUUID } from "node:crypto";
import { parseIdpMetadata } from "../saml/metadata.js";
import type { SandboxStore } from "../state/store.js";
import {
  type AccountAssignment,
  DEFAULT_QUOTAS,
  DEFAULT_THROTTLES,
  defaultSettings,
  findInstance,
  hashToken,
  type IdentityCenterInstance,
  type InstanceSettings,
  identityCenterOf,
  MAX_SCIM_TOKENS,
  type PermissionSet,
  type Quotas,
  type Throttles,
  TOKEN_LIFETIME_MS,
} from "./model.js";
import type { TrafficControl } from "./traffic.js";

/** Errors of the sandbox's own admin API (not an AWS API), rendered as `{ error, message }`. */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface NewToken {
  tokenId: string;
  /** Shown once, as in the AWS console; only its hash is kept. */
  token: string;
  expiresAt: string;
}

/** One throttle's change: either number (the other is kept; a new rate alone sets the burst to match), or null = off. */
export type ThrottleUpdate = { ratePerSecond?: number; burst?: number } | null;

export interface SettingsUpdate {
  rateLimitPerSecond?: number | null;
  burst?: number | null;
  throttles?: { read?: ThrottleUpdate; write?: ThrottleUpdate; membership?: ThrottleUpdate };
  quotas?: { users?: number; groups?: number };
  faults?: Partial<InstanceSettings["faults"]>;
  legacyPaging?: boolean;
  seed?: number | null;
}

export interface AssignmentRequest {
  /** Permission set name or ARN. */
  permissionSet: string;
  /** SCIM group displayName or id. */
  group: string;
  accountId: string;
}

const TENANT_PATTERN = /^d-[0-9a-f]{10}$/;
const hex = (bytes: number) => randomBytes(bytes).toString("hex");
/** ARNs derive from names, so a fixture always yields the same ARNs. */
const derived = (seed: string) => createHash("sha256").update(seed).digest("hex").slice(0, 16);
const rate = (v: unknown) => typeof v === "number" && v >= 0 && v <= 1;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

const copyThrottles = (t: Throttles): Throttles => ({
  read: t.read && { ...t.read },
  write: t.write && { ...t.write },
  membership: t.membership && { ...t.membership },
});

function throttlesWith(current: Throttles, update: SettingsUpdate["throttles"]): Throttles {
  if (update === undefined) return copyThrottles(current);
  if (!isObject(update)) throw new AdminError(400, "throttles must be an object of read, write, membership");
  const next = copyThrottles(current);
  for (const [name, change] of Object.entries(update)) {
    if (name !== "read" && name !== "write" && name !== "membership")
      throw new AdminError(400, `throttles.${name} is not a throttle (read, write, membership)`);
    if (change === null) {
      next[name] = null;
      continue;
    }
    if (!isObject(change)) throw new AdminError(400, `throttles.${name} must be an object or null`);
    const r = change.ratePerSecond ?? next[name]?.ratePerSecond ?? DEFAULT_THROTTLES[name]?.ratePerSecond;
    if (!(typeof r === "number" && r > 0 && Number.isFinite(r)))
      throw new AdminError(400, `throttles.${name}.ratePerSecond must be > 0`);
    const b = change.burst ?? (change.ratePerSecond !== undefined ? Math.ceil(r) : next[name]?.burst) ?? Math.ceil(r);
    if (!(Number.isInteger(b) && (b as number) >= 1))
      throw new AdminError(400, `throttles.${name}.burst must be an integer ≥ 1`);
    next[name] = { ratePerSecond: r, burst: b as number };
  }
  return next;
}

function quotasWith(current: Quotas, update: SettingsUpdate["quotas"]): Quotas {
  if (update === undefined) return { ...current };
  if (!isObject(update)) throw new AdminError(400, "quotas must be an object of users, groups");
  const next = { ...current };
  for (const [name, value] of Object.entries(update)) {
    if (name !== "users" && name !== "groups")
      throw new AdminError(400, `quotas.${name} is not a quota (users, groups)`);
    if (!(Number.isInteger(value) && (value as number) >= 0))
      throw new AdminError(400, `quotas.${name} must be an integer ≥ 0`);
    next[name] = value as number;
  }
  return next;
}

export function newInstance(tenantId: string, region: string, now: string): IdentityCenterInstance {
  if (!TENANT_PATTERN.test(tenantId)) throw new AdminError(400, "tenantId must look like d-0123456789 (10 hex digits)");
  if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region)) throw new AdminError(400, `invalid region ${region}`);
  return {
    tenantId,
    region,
    instanceArn: `arn:aws:sso:::instance/ssoins-${derived(tenantId)}`,
    identityStoreId: tenantId,
    createdAt: now,
    tokens: [],
    users: [],
    groups: [],
    permissionSets: [],
    assignments: [],
    settings: defaultSettings(),
  };
}

export function tokenFor(instance: IdentityCenterInstance, token: string, expiresAt: string, now: string) {
  if (instance.tokens.length >= MAX_SCIM_TOKENS) {
    throw new AdminError(409, `An instance has at most ${MAX_SCIM_TOKENS} SCIM tokens; delete one first`);
  }
  const entry = { tokenId: randomUUID(), tokenHash: hashToken(token), createdAt: now, expiresAt };
  instance.tokens.push(entry);
  return entry;
}

export function permissionSetFor(
  instance: IdentityCenterInstance,
  name: string,
  description?: string,
  duration?: string,
) {
  if (!/^[\w+=,.@-]{1,32}$/.test(name)) throw new AdminError(400, `invalid permission set name ${name}`);
  if (instance.permissionSets.some((p) => p.name === name)) throw new AdminError(409, `permission set ${name} exists`);
  const set: PermissionSet = {
    name,
    arn: `${instance.instanceArn.replace(":instance/", ":permissionSet/")}/ps-${derived(`${instance.instanceArn}/${name}`)}`,
    description,
    sessionDuration: duration ?? "PT1H",
    createdAt: new Date().toISOString(),
  };
  instance.permissionSets.push(set);
  return set;
}

/** The sandbox operator's view of Identity Center: what the AWS console and sso-admin API do in the real one. */
export class IdentityCenterAdmin {
  constructor(
    private readonly store: SandboxStore,
    private readonly traffic: TrafficControl,
  ) {}

  listInstances() {
    return (this.store.state.identityCenter?.instances ?? []).map((i) => ({
      tenantId: i.tenantId,
      region: i.region,
      instanceArn: i.instanceArn,
      identityStoreId: i.identityStoreId,
      users: i.users.length,
      groups: i.groups.length,
      settings: structuredClone(i.settings),
    }));
  }

  createInstance(options: { tenantId?: string; region?: string } = {}) {
    const instance = newInstance(
      options.tenantId ?? `d-${hex(5)}`,
      options.region ?? "us-east-1",
      new Date().toISOString(),
    );
    this.store.mutate((draft) => {
      const all = identityCenterOf(draft).instances;
      if (all.some((i) => i.tenantId === instance.tenantId)) throw new AdminError(409, `${instance.tenantId} exists`);
      all.push(instance);
    });
    return { tenantId: instance.tenantId, region: instance.region, instanceArn: instance.instanceArn };
  }

  createToken(tenantId: string, options: { expiresAt?: string } = {}): NewToken {
    const now = new Date();
    const expiresAt = options.expiresAt ?? new Date(now.getTime() + TOKEN_LIFETIME_MS).toISOString();
    if (Number.isNaN(Date.parse(expiresAt))) throw new AdminError(400, "expiresAt must be an ISO 8601 time");
    const token = randomBytes(96).toString("base64");
    const entry = this.change(tenantId, (i) =>
      tokenFor(i, token, new Date(expiresAt).toISOString(), now.toISOString()),
    );
    return { tokenId: entry.tokenId, token, expiresAt: entry.expiresAt };
  }

  listTokens(tenantId: string) {
    return this.instance(tenantId).tokens.map(({ tokenId, createdAt, expiresAt }) => ({
      tokenId,
      createdAt,
      expiresAt,
    }));
  }

  deleteToken(tenantId: string, tokenId: string): void {
    this.change(tenantId, (i) => {
      if (!i.tokens.some((t) => t.tokenId === tokenId)) throw new AdminError(404, `no token ${tokenId}`);
      i.tokens = i.tokens.filter((t) => t.tokenId !== tokenId);
    });
  }

  configure(tenantId: string, update: SettingsUpdate): InstanceSettings {
    const settings = this.change(tenantId, (i) => {
      const next = { ...i.settings, faults: { ...i.settings.faults, ...update.faults } };
      if (update.rateLimitPerSecond !== undefined) next.rateLimitPerSecond = update.rateLimitPerSecond ?? undefined;
      if (update.burst !== undefined) next.burst = update.burst ?? undefined;
      if (update.seed !== undefined) next.seed = update.seed ?? undefined;
      if (update.legacyPaging !== undefined) next.legacyPaging = update.legacyPaging;
      next.throttles = throttlesWith(next.throttles ?? DEFAULT_THROTTLES, update.throttles);
      next.quotas = quotasWith(next.quotas ?? DEFAULT_QUOTAS, update.quotas);
      const { rateLimitPerSecond: r, burst: b, seed: s } = next;
      if (r !== undefined && !(typeof r === "number" && r > 0))
        throw new AdminError(400, "rateLimitPerSecond must be > 0");
      if (b !== undefined && !(Number.isInteger(b) && b >= 1))
        throw new AdminError(400, "burst must be an integer ≥ 1");
      if (s !== undefined && !Number.isInteger(s)) throw new AdminError(400, "seed must be an integer");
      if (typeof next.legacyPaging !== "boolean") throw new AdminError(400, "legacyPaging must be a boolean");
      if (!Object.values(next.faults).every(rate)) throw new AdminError(400, "fault rates must be between 0 and 1");
      i.settings = next;
      return next;
    });
    this.traffic.reset(tenantId);
    return settings;
  }

  /** What each of the instance's throttles let through and refused since its settings last changed. */
  trafficReport(tenantId: string) {
    this.instance(tenantId);
    return this.traffic.report(tenantId);
  }

  setSamlMetadata(tenantId: string, metadata: string): void {
    const parsed = parseIdpMetadata(metadata);
    if (typeof parsed === "string") throw new AdminError(400, parsed);
    this.change(tenantId, (i) => {
      i.samlMetadata = metadata;
    });
  }

  createPermissionSet(tenantId: string, options: { name: string; description?: string; sessionDuration?: string }) {
    return this.change(tenantId, (i) =>
      permissionSetFor(i, options.name, options.description, options.sessionDuration),
    );
  }

  listPermissionSets(tenantId: string) {
    return structuredClone(this.instance(tenantId).permissionSets);
  }

  /** The seed's "Assign User Access": a permission set for a provisioned group on an account. */
  assign(tenantId: string, request: AssignmentRequest): AccountAssignment {
    const accounts = this.store.state.accounts;
    return this.change(tenantId, (i) => {
      const set = i.permissionSets.find((p) => p.name === request.permissionSet || p.arn === request.permissionSet);
      if (!set) throw new AdminError(404, `no permission set ${request.permissionSet}`);
      const group = i.groups.find((g) => g.displayName === request.group || g.id === request.group);
      if (!group) throw new AdminError(404, `no provisioned group ${request.group}`);
      if (!accounts.some((a) => a.id === request.accountId))
        throw new AdminError(404, `no account ${request.accountId}`);
      const assignment = { permissionSetArn: set.arn, groupId: group.id, accountId: request.accountId };
      const same = (a: AccountAssignment) =>
        a.permissionSetArn === assignment.permissionSetArn &&
        a.groupId === group.id &&
        a.accountId === request.accountId;
      if (!i.assignments.some(same)) i.assignments.push(assignment);
      return assignment;
    });
  }

  listAssignments(tenantId: string) {
    const instance = this.instance(tenantId);
    return instance.assignments.map((a) => ({
      ...a,
      permissionSetName: instance.permissionSets.find((p) => p.arn === a.permissionSetArn)?.name,
      groupDisplayName: instance.groups.find((g) => g.id === a.groupId)?.displayName,
    }));
  }

  private instance(tenantId: string): Readonly<IdentityCenterInstance> {
    const instance = findInstance(this.store.state, tenantId);
    if (!instance) throw new AdminError(404, `no Identity Center instance ${tenantId}`);
    return instance;
  }

  private change<T>(tenantId: string, apply: (instance: IdentityCenterInstance) => T): T {
    this.instance(tenantId);
    // A copy: callers must never hold a live reference into the state.
    return structuredClone(this.store.mutate((draft) => apply(findInstance(draft, tenantId)!)));
  }
}
