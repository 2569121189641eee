/**
 * Imports an Okta org's AWS Account Federation app: people, groups, memberships and a legacy API-mode app with
 * the same assignments. Before writing, every person the app reaches is resolved through `appEntitlements` and
 * compared with the roles Okta itself resolved for them (`/apps/{id}/users` profile.samlRoles). Any difference
 * is reported and the estate is not called equivalent; then nothing is written unless the admin accepts it.
 */
import type { Store } from "../../../store/contract.js";
import { allPages } from "../../../store/pages.js";
import { createAppWithKey } from "../../apps/create.js";
import { appEntitlements } from "../../apps/entitlements.js";
import type { App } from "../../apps/model.js";
import type { AppService } from "../../apps/service.js";
import type { SigningKeyService } from "../../apps/signing-keys.js";
import { type Actor, appTarget, logEvent } from "../../audit.js";
import type { User } from "../../directory/model.js";
import { DomainError, validationFailed } from "../../errors.js";
import type { Clock } from "../../ids.js";
import { sortStrings } from "../model.js";
import { EntitlementSnapshot } from "../snapshot.js";
import { readOktaExport } from "./files.js";
import { type MappedEstate, mapExport, PENDING_APP } from "./map.js";

export const OKTA_IMPORT_FORMAT = "rolebridge.migration.okta-import";

export interface OktaImportDeps {
  store: Store;
  clock: Clock;
  apps: AppService;
  signingKeys: SigningKeyService;
  publicUrl: string;
}

export interface OktaDifference {
  login: string;
  okta: string[];
  rolebridge: string[];
}

export interface OktaImportResult {
  format: typeof OKTA_IMPORT_FORMAT;
  version: 1;
  app: string;
  /** How people assigned only through groups get roles: the mode that reproduces Okta (combine preferred). */
  groupAssignmentMode: "combine" | "priority";
  people: number;
  identical: number;
  equivalent: boolean;
  differences: OktaDifference[];
  written: boolean;
  created: { users: number; groups: number; memberships: number; assignments: number };
}

const loginKey = (s: string) => s.normalize("NFC").toLowerCase();

async function check(store: Store, mapped: MappedEstate, mode: "combine" | "priority") {
  const snapshot = new EntitlementSnapshot();
  for (const g of mapped.groups.values()) snapshot.addGroup({ id: g.id, name: g.name, source: g.source });
  for (const m of mapped.memberships) snapshot.addMember(m.groupId, m.userId);
  const people = new Map<string, { login: string; oktaId: string | null; status: User["status"] }>();
  for (const [oktaId, u] of mapped.users)
    if (mapped.expected.has(oktaId)) people.set(u.id, { login: u.profile.login, oktaId, status: u.status });
  const byId = new Map([...mapped.users].map(([oktaId, u]) => [u.id, { oktaId, u }]));
  for (const a of mapped.assignments) {
    snapshot.assign(a);
    if (a.principalType !== "group") continue;
    const reach = mapped.memberships.filter((m) => m.groupId === a.principalId).map((m) => m.userId);
    // A reused group brings the members it already has: they would be reached too.
    const group = [...mapped.groups.values()].find((g) => g.id === a.principalId);
    if (group?.existing) {
      for await (const u of allPages((after) =>
        store.memberships.membersOfGroup(a.principalId, { limit: 1000, after }),
      )) {
        snapshot.addMember(a.principalId, u.id);
        reach.push(u.id);
        if (!byId.has(u.id)) people.set(u.id, { login: u.profile.login, oktaId: null, status: u.status });
      }
    }
    for (const id of reach) {
      const entry = byId.get(id);
      if (entry && !people.has(id))
        people.set(id, { login: entry.u.profile.login, oktaId: entry.oktaId, status: entry.u.status });
    }
  }
  const app = {
    id: PENDING_APP,
    slug: "pending",
    type: "aws-account-federation",
    label: "pending",
    status: "ACTIVE",
    settings: { ...mapped.settings, groupAssignmentMode: mode },
    created: "",
    lastUpdated: "",
    version: 1,
    provisioningEnabled: true,
  } satisfies App;
  const differences: OktaDifference[] = [];
  for (const [id, p] of people) {
    const user: User = {
      id,
      profile: { login: p.login, email: p.login, firstName: null, lastName: null, displayName: null },
      status: "ACTIVE",
      created: "",
      lastUpdated: "",
      statusChanged: "",
      passwordChanged: null,
      lastLogin: null,
      version: 1,
    };
    const ours = sortStrings(new Set((await appEntitlements(snapshot, app, user)).roles.map((r) => r.roleArn)));
    const okta = (p.oktaId && mapped.expected.get(p.oktaId)) || [];
    if (ours.join("\n") !== okta.join("\n")) differences.push({ login: p.login, okta, rolebridge: ours });
  }
  differences.sort((a, b) => (a.login < b.login ? -1 : 1));
  return { people: people.size, differences };
}

export async function importOktaExport(
  deps: OktaImportDeps,
  actor: Actor,
  dir: string,
  opts: { slug: string; appGroupSource?: string; acceptDifferences?: boolean },
): Promise<OktaImportResult> {
  const x = readOktaExport(dir);
  if (await deps.store.apps.getBySlug(opts.slug))
    throw new DomainError("conflict", `an app ${opts.slug} already exists`, { field: "/slug" });
  const existingUsers = await deps.store.users.idsByLogin(x.users.map((u) => u.profile.login));
  const appGroupSource = opts.appGroupSource ?? "active_directory";
  const refs = x.groups.map((g) => ({
    source: g.type === "APP_GROUP" ? appGroupSource : "local",
    name: g.profile.name,
  }));
  const existingGroups = await deps.store.groups.idsByName(refs);
  const at = deps.clock.now().toISOString();
  const mapped = mapExport(x, {
    appGroupSource,
    at,
    existingUsers: new Map([...existingUsers].map(([k, v]) => [loginKey(k), v])),
    existingGroups: new Map([...existingGroups].map(([k, v]) => [k.normalize("NFC").toLowerCase(), v])),
  });
  if (mapped.errors.length)
    throw validationFailed("the Okta export has values rolebridge cannot map; nothing was imported", mapped.errors);

  let mode: "combine" | "priority" = "combine";
  let result = await check(deps.store, mapped, "combine");
  if (result.differences.length) {
    const priority = await check(deps.store, mapped, "priority");
    if (priority.differences.length < result.differences.length) [mode, result] = ["priority", priority];
  }
  const equivalent = result.differences.length === 0;
  const newUsers = [...mapped.users.values()].filter((u) => !u.existing);
  const newGroups = [...mapped.groups.values()].filter((g) => !g.existing);
  const report: OktaImportResult = {
    format: OKTA_IMPORT_FORMAT,
    version: 1,
    app: opts.slug,
    groupAssignmentMode: mode,
    people: result.people,
    identical: result.people - result.differences.length,
    equivalent,
    differences: result.differences,
    written: false,
    created: {
      users: newUsers.length,
      groups: newGroups.length,
      memberships: mapped.memberships.length,
      assignments: mapped.assignments.length,
    },
  };
  if (!equivalent && !opts.acceptDifferences) return report;

  const roleArns = new Set(
    mapped.assignments.flatMap((a) => (a.profile.samlRoles as Array<{ roleArn: string }>).map((r) => r.roleArn)),
  );
  const input = {
    slug: opts.slug,
    type: "aws-account-federation" as const,
    label: x.app.label,
    settings: { ...mapped.settings, groupAssignmentMode: mode },
  };
  await createAppWithKey(deps, actor, input, 2048, async (tx, app) => {
    await tx.users.insertMany(newUsers.map(({ existing: _e, ...u }) => u));
    await tx.groups.insertMany(newGroups.map(({ existing: _e, ...g }) => g));
    await tx.memberships.addMany(mapped.memberships.map((m) => ({ ...m, created: at })));
    for (const a of mapped.assignments)
      await tx.assignments.upsert({
        appId: app.id,
        principalType: a.principalType,
        principalId: a.principalId,
        profile: a.profile,
        priority: a.priority,
        at,
      });
    for (const accountId of mapped.accounts) {
      const roles = sortStrings([...roleArns].filter((r) => r.split(":")[4] === accountId)).map((arn) => {
        const full = arn.slice(arn.indexOf(":role/") + 6);
        const name = full.slice(full.lastIndexOf("/") + 1);
        return { arn, name, path: `/${full.slice(0, full.length - name.length)}` };
      });
      await tx.roleCatalog.put({
        appId: app.id,
        accountId,
        alias: null,
        roles,
        status: "ok",
        error: null,
        refreshedAt: at,
      });
    }
    await tx.log.append(
      logEvent(deps.clock, actor, "migration.okta.import", appTarget(app), {
        oktaApp: x.app.id,
        ...report.created,
        equivalent,
        differences: result.differences.length,
      }),
    );
  });
  return { ...report, written: true };
}
