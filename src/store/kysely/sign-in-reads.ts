import { type Kysely, type Selectable, sql } from "kysely";
import type { App, AppAssignment, SigningKey } from "../../core/apps/model.js";
import type { Group } from "../../core/directory/model.js";
import { toGroup } from "./rows.js";
import type { AppAssignmentsTable, AppSigningKeysTable, AppsTable, Database, GroupsTable } from "./schema.js";

/**
 * The reads every SSO makes, each in one statement (issue 15): on PostgreSQL each statement is a round trip,
 * and they were the largest cost of a sign-in. Nothing here is cached: every row is as current as the statement.
 */

export const toApp = (r: Selectable<AppsTable>): App => ({
  id: r.id,
  slug: r.slug,
  type: r.type as App["type"],
  label: r.label,
  status: r.status as App["status"],
  settings: JSON.parse(r.settings) as Record<string, unknown>,
  created: r.created_at,
  lastUpdated: r.updated_at,
  version: Number(r.version),
  provisioningEnabled: Number(r.provisioning_enabled) === 1,
});

export const toAssignment = (r: Selectable<AppAssignmentsTable>): AppAssignment => ({
  appId: r.app_id,
  principalType: r.principal_type as AppAssignment["principalType"],
  principalId: r.principal_id,
  profile: JSON.parse(r.profile) as Record<string, unknown>,
  priority: r.priority === null ? null : Number(r.priority),
  created: r.created_at,
  lastUpdated: r.updated_at,
});

export const toKey = (r: Selectable<AppSigningKeysTable>): SigningKey => ({
  id: r.id,
  appId: r.app_id,
  state: r.state as SigningKey["state"],
  bits: Number(r.bits),
  certificatePem: r.certificate_pem,
  privateKeySealed: r.private_key_sealed,
  notAfter: r.not_after,
  created: r.created_at,
  activated: r.activated_at,
  retired: r.retired_at,
});

/** The app by slug and its active key (the lowest id if ever more than one, as listForApp's order gives it). */
export async function appWithActiveKey(
  db: Kysely<Database>,
  slug: string,
): Promise<{ app: App; activeKey: SigningKey | null } | null> {
  const r = await db
    .selectFrom("apps as a")
    .leftJoin("app_signing_keys as k", (j) => j.onRef("k.app_id", "=", "a.id").on("k.state", "=", "active"))
    .selectAll("a")
    .select([
      "k.id as k_id",
      "k.state as k_state",
      "k.bits as k_bits",
      "k.certificate_pem as k_certificate_pem",
      "k.private_key_sealed as k_private_key_sealed",
      "k.not_after as k_not_after",
      "k.created_at as k_created_at",
      "k.activated_at as k_activated_at",
      "k.retired_at as k_retired_at",
    ])
    .where("a.slug", "=", slug)
    .orderBy("k.id")
    .limit(1)
    .executeTakeFirst();
  if (!r) return null;
  const activeKey =
    r.k_id === null || r.k_state === null || r.k_bits === null
      ? null
      : toKey({
          id: r.k_id,
          app_id: r.id,
          state: r.k_state,
          bits: r.k_bits,
          certificate_pem: r.k_certificate_pem ?? "",
          private_key_sealed: r.k_private_key_sealed ?? "",
          not_after: r.k_not_after ?? "",
          created_at: r.k_created_at ?? "",
          activated_at: r.k_activated_at,
          retired_at: r.k_retired_at,
        });
  return { app: toApp(r), activeKey };
}

type GroupColumns = { [K in keyof Selectable<GroupsTable> as `g_${K & string}`]: Selectable<GroupsTable>[K] | null };
type AssignmentColumns = { [K in keyof Selectable<AppAssignmentsTable>]: Selectable<AppAssignmentsTable>[K] | null };

/**
 * A user's groups, each beside its assignment to the app if any, and the user's own assignment: one UNION ALL.
 * Groups come in id order (the database's, as groupsOfUser gives them); assignments group ones first (by
 * group id), then the user's, as forUser orders them.
 */
export async function groupsAndAssignments(
  db: Kysely<Database>,
  appId: string,
  userId: string,
): Promise<{ groups: Group[]; assignments: AppAssignment[] }> {
  const { rows } = await sql<GroupColumns & AssignmentColumns>`
    select g.id as g_id, g.name as g_name, g.name_key as g_name_key, g.description as g_description,
      g.source as g_source, g.external_id as g_external_id, g.created_at as g_created_at,
      g.updated_at as g_updated_at, g.members_updated_at as g_members_updated_at, g.version as g_version,
      a.app_id, a.principal_type, a.principal_id, a.profile, a.created_at, a.updated_at, a.priority
    from group_members m
    join groups g on g.id = m.group_id
    left join app_assignments a on a.app_id = ${appId} and a.principal_type = ${"group"} and a.principal_id = g.id
    where m.user_id = ${userId}
    union all
    select null, null, null, null, null, null, null, null, null, null,
      a.app_id, a.principal_type, a.principal_id, a.profile, a.created_at, a.updated_at, a.priority
    from app_assignments a
    where a.app_id = ${appId} and a.principal_type = ${"user"} and a.principal_id = ${userId}
    order by g_id`.execute(db);
  const groups: Group[] = [];
  const viaGroups: AppAssignment[] = [];
  const direct: AppAssignment[] = [];
  for (const r of rows) {
    if (r.g_id !== null) {
      groups.push(
        toGroup({
          id: r.g_id,
          name: r.g_name ?? "",
          name_key: r.g_name_key ?? "",
          description: r.g_description,
          source: r.g_source ?? "",
          external_id: r.g_external_id,
          created_at: r.g_created_at ?? "",
          updated_at: r.g_updated_at ?? "",
          members_updated_at: r.g_members_updated_at ?? "",
          version: r.g_version ?? 0,
        }),
      );
    }
    if (r.app_id === null || r.principal_type === null || r.principal_id === null) continue;
    const assignment = toAssignment({
      app_id: r.app_id,
      principal_type: r.principal_type,
      principal_id: r.principal_id,
      profile: r.profile ?? "{}",
      created_at: r.created_at ?? "",
      updated_at: r.updated_at ?? "",
      priority: r.priority,
    });
    (r.g_id === null ? direct : viaGroups).push(assignment);
  }
  return { groups, assignments: [...viaGroups, ...direct] };
}
