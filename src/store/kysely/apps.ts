import { type Kysely, sql, type Updateable } from "kysely";
import type { AppRepo, AppSecretRepo, AssignmentRepo, SigningKeyRepo } from "../contract-apps.js";
import { guardUnique } from "./errors.js";
import { decodeCursor, pageOf } from "./rows.js";
import type { AppSigningKeysTable, AppsTable, Database } from "./schema.js";
import { appWithActiveKey, groupsAndAssignments, toApp, toAssignment, toKey } from "./sign-in-reads.js";

export function appRepo(db: Kysely<Database>): AppRepo {
  return {
    async insert(a) {
      const r = await guardUnique(
        db
          .insertInto("apps")
          .values({
            id: a.id,
            slug: a.slug,
            type: a.type,
            label: a.label,
            status: a.status,
            settings: JSON.stringify(a.settings),
            created_at: a.at,
            updated_at: a.at,
            version: 1,
            provisioning_enabled: a.provisioningEnabled === false ? 0 : 1,
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      return toApp(r);
    },
    async get(id) {
      const r = await db.selectFrom("apps").selectAll().where("id", "=", id).executeTakeFirst();
      return r ? toApp(r) : null;
    },
    async getBySlug(slug) {
      const r = await db.selectFrom("apps").selectAll().where("slug", "=", slug).executeTakeFirst();
      return r ? toApp(r) : null;
    },
    getBySlugWithActiveKey: (slug) => appWithActiveKey(db, slug),
    async list(filter, page) {
      let q = db.selectFrom("apps").selectAll();
      const after = decodeCursor(page.after);
      if (after) q = q.where("id", ">", after);
      if (filter.type) q = q.where("type", "=", filter.type);
      return pageOf(
        await q
          .orderBy("id")
          .limit(page.limit + 1)
          .execute(),
        page.limit,
        toApp,
      );
    },
    async update(id, change, expectedVersion) {
      const set: Updateable<AppsTable> = { updated_at: change.at };
      if (change.label !== undefined) set.label = change.label;
      if (change.status !== undefined) set.status = change.status;
      if (change.settings !== undefined) set.settings = JSON.stringify(change.settings);
      if (change.provisioningEnabled !== undefined) set.provisioning_enabled = change.provisioningEnabled ? 1 : 0;
      let q = db
        .updateTable("apps")
        .set({ ...set, version: sql<number>`version + 1` })
        .where("id", "=", id);
      if (expectedVersion !== undefined) q = q.where("version", "=", expectedVersion);
      const r = await q.returningAll().executeTakeFirst();
      return r ? toApp(r) : null;
    },
    async delete(id) {
      const r = await db.deleteFrom("apps").where("id", "=", id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async anyOfTypes(types) {
      if (types.length === 0) return false;
      const r = await db
        .selectFrom("apps")
        .select("id")
        .where("type", "in", [...types])
        .limit(1)
        .executeTakeFirst();
      return r !== undefined;
    },
  };
}

export function assignmentRepo(db: Kysely<Database>): AssignmentRepo {
  const get: AssignmentRepo["get"] = async (appId, principalType, principalId) => {
    const r = await db
      .selectFrom("app_assignments")
      .selectAll()
      .where("app_id", "=", appId)
      .where("principal_type", "=", principalType)
      .where("principal_id", "=", principalId)
      .executeTakeFirst();
    return r ? toAssignment(r) : null;
  };
  return {
    get,
    withGroupsOfUser: (appId, userId) => groupsAndAssignments(db, appId, userId),
    async upsert(a) {
      const existing = await get(a.appId, a.principalType, a.principalId);
      await db
        .insertInto("app_assignments")
        .values({
          app_id: a.appId,
          principal_type: a.principalType,
          principal_id: a.principalId,
          profile: JSON.stringify(a.profile),
          priority: a.priority ?? null,
          created_at: a.at,
          updated_at: a.at,
        })
        .onConflict((oc) =>
          oc.columns(["app_id", "principal_type", "principal_id"]).doUpdateSet({
            profile: JSON.stringify(a.profile),
            updated_at: a.at,
            ...(a.priority === undefined ? {} : { priority: a.priority }),
          }),
        )
        .execute();
      return existing === null;
    },
    async renumberGroupPriorities(appId, groupIds) {
      // Two passes keep the unique (app, priority) index satisfied at every statement: first out of the way
      // (negative), then into place.
      const setPriority = (groupId: string, priority: number) =>
        db
          .updateTable("app_assignments")
          .set({ priority })
          .where("app_id", "=", appId)
          .where("principal_type", "=", "group")
          .where("principal_id", "=", groupId)
          .execute();
      for (const [i, id] of groupIds.entries()) await setPriority(id, -1 - i);
      for (const [i, id] of groupIds.entries()) await setPriority(id, i);
    },
    async remove(appId, principalType, principalId) {
      const r = await db
        .deleteFrom("app_assignments")
        .where("app_id", "=", appId)
        .where("principal_type", "=", principalType)
        .where("principal_id", "=", principalId)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async listForApp(appId) {
      const rows = await db
        .selectFrom("app_assignments")
        .selectAll()
        .where("app_id", "=", appId)
        .orderBy("principal_type")
        .orderBy("principal_id")
        .execute();
      return rows.map(toAssignment);
    },
    async forUser(appId, userId, groupIds) {
      const rows = await db
        .selectFrom("app_assignments")
        .selectAll()
        .where("app_id", "=", appId)
        .where((eb) => {
          const direct = eb.and([eb("principal_type", "=", "user"), eb("principal_id", "=", userId)]);
          if (groupIds.length === 0) return direct;
          return eb.or([direct, eb.and([eb("principal_type", "=", "group"), eb("principal_id", "in", [...groupIds])])]);
        })
        .orderBy("principal_type")
        .orderBy("principal_id")
        .execute();
      return rows.map(toAssignment);
    },
    async appIdsForUser(userId, groupIds) {
      const rows = await db
        .selectFrom("app_assignments")
        .select("app_id")
        .distinct()
        .where((eb) => {
          const direct = eb.and([eb("principal_type", "=", "user"), eb("principal_id", "=", userId)]);
          if (groupIds.length === 0) return direct;
          return eb.or([direct, eb.and([eb("principal_type", "=", "group"), eb("principal_id", "in", [...groupIds])])]);
        })
        .orderBy("app_id")
        .execute();
      return rows.map((r) => r.app_id);
    },
  };
}

export function signingKeyRepo(db: Kysely<Database>): SigningKeyRepo {
  return {
    async insert(k) {
      const r = await db
        .insertInto("app_signing_keys")
        .values({
          id: k.id,
          app_id: k.appId,
          state: k.state,
          bits: k.bits,
          certificate_pem: k.certificatePem,
          private_key_sealed: k.privateKeySealed,
          not_after: k.notAfter,
          created_at: k.created,
          activated_at: k.state === "active" ? k.created : null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toKey(r);
    },
    async listForApp(appId) {
      const rows = await db
        .selectFrom("app_signing_keys")
        .selectAll()
        .where("app_id", "=", appId)
        .orderBy("id")
        .execute();
      return rows.map(toKey);
    },
    async setState(id, state, at) {
      const set: Partial<AppSigningKeysTable> = { state };
      if (state === "active") set.activated_at = at;
      if (state === "retired") set.retired_at = at;
      // previous keeps activated_at: it records when the key started signing.
      const r = await db
        .updateTable("app_signing_keys")
        .set(set)
        .where("id", "=", id)
        .returningAll()
        .executeTakeFirst();
      return r ? toKey(r) : null;
    },
  };
}

export function appSecretRepo(db: Kysely<Database>): AppSecretRepo {
  return {
    async put(appId, name, sealed, at) {
      await db
        .insertInto("app_secrets")
        .values({ app_id: appId, name, sealed, updated_at: at })
        .onConflict((oc) => oc.columns(["app_id", "name"]).doUpdateSet({ sealed, updated_at: at }))
        .execute();
    },
    async get(appId, name) {
      const r = await db
        .selectFrom("app_secrets")
        .select("sealed")
        .where("app_id", "=", appId)
        .where("name", "=", name)
        .executeTakeFirst();
      return r?.sealed ?? null;
    },
    async delete(appId, name) {
      const r = await db
        .deleteFrom("app_secrets")
        .where("app_id", "=", appId)
        .where("name", "=", name)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
