import { type Insertable, type Kysely, sql } from "kysely";
import type { UserCredentials } from "../../core/directory/model.js";
import type { NewUser, UserChange, UserRepo } from "../contract.js";
import type { BulkWriter } from "./bulk.js";
import { guardUnique } from "./errors.js";
import { decodeCursor, keyOf, pageOf, prefixPattern, toUser } from "./rows.js";
import type { Database, UsersTable } from "./schema.js";

const CHUNK = 500;

function row(u: NewUser): Insertable<UsersTable> {
  return {
    id: u.id,
    login: u.profile.login,
    login_key: keyOf(u.profile.login),
    email: u.profile.email,
    first_name: u.profile.firstName,
    last_name: u.profile.lastName,
    display_name: u.profile.displayName,
    status: u.status,
    password_hash: u.passwordHash,
    failed_logins: 0,
    created_at: u.at,
    updated_at: u.at,
    status_changed_at: u.at,
    password_changed_at: u.passwordHash ? u.at : null,
    version: 1,
  };
}

export function userRepo(db: Kysely<Database>, bulk: BulkWriter | null = null): UserRepo {
  return {
    async insert(u) {
      const r = await guardUnique(db.insertInto("users").values(row(u)).returningAll().executeTakeFirstOrThrow());
      return toUser(r);
    },

    async insertMany(users) {
      if (bulk && users.length > 0) {
        const columns = Object.keys(row(users[0] as NewUser)) as (keyof Insertable<UsersTable>)[];
        await guardUnique(
          Promise.resolve().then(() =>
            bulk.insert(`users (${columns.join(", ")})`, "", columns.length, users, (u, out) => {
              const r = row(u);
              for (const c of columns) out.push(r[c]);
            }),
          ),
        );
        return;
      }
      for (let i = 0; i < users.length; i += CHUNK) {
        await guardUnique(
          db
            .insertInto("users")
            .values(users.slice(i, i + CHUNK).map(row))
            .execute(),
        );
      }
    },

    async get(id) {
      const r = await db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
      return r ? toUser(r) : null;
    },

    async getByLogin(login) {
      const r = await db.selectFrom("users").selectAll().where("login_key", "=", keyOf(login)).executeTakeFirst();
      return r ? toUser(r) : null;
    },

    async idsByLogin(logins) {
      const out = new Map<string, string>();
      const keys = [...new Set(logins.map(keyOf))];
      for (let i = 0; i < keys.length; i += CHUNK) {
        const rows = await db
          .selectFrom("users")
          .select(["id", "login_key"])
          .where("login_key", "in", keys.slice(i, i + CHUNK))
          .execute();
        for (const r of rows) out.set(r.login_key, r.id);
      }
      return out;
    },

    async list(filter, page) {
      let q = db.selectFrom("users").selectAll();
      const after = decodeCursor(page.after);
      if (after) q = q.where("id", ">", after);
      if (filter.login) q = q.where("login_key", "=", keyOf(filter.login));
      if (filter.status) q = q.where("status", "=", filter.status);
      if (filter.q) {
        const p = prefixPattern(filter.q);
        q = q.where((eb) =>
          eb.or(
            ["login_key", "email", "first_name", "last_name", "display_name"].map(
              (col) => sql<boolean>`lower(${sql.ref(col)}) like ${p} escape '\\'`,
            ),
          ),
        );
      }
      const rows = await q
        .orderBy("id")
        .limit(page.limit + 1)
        .execute();
      return pageOf(rows, page.limit, toUser);
    },

    async count() {
      const r = await db
        .selectFrom("users")
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async update(id, change: UserChange, expectedVersion) {
      const set: Partial<UsersTable> = { updated_at: change.at };
      if (change.profile) {
        set.login = change.profile.login;
        set.login_key = keyOf(change.profile.login);
        set.email = change.profile.email;
        set.first_name = change.profile.firstName;
        set.last_name = change.profile.lastName;
        set.display_name = change.profile.displayName;
      }
      if (change.status) {
        set.status = change.status;
        set.status_changed_at = change.at;
      }
      if (change.passwordHash !== undefined) {
        set.password_hash = change.passwordHash;
        set.password_changed_at = change.at;
        set.failed_logins = 0;
        set.locked_until = null;
      }
      let q = db
        .updateTable("users")
        .set({ ...set, version: sql<number>`version + 1` })
        .where("id", "=", id);
      if (expectedVersion !== undefined) q = q.where("version", "=", expectedVersion);
      const r = await guardUnique(q.returningAll().executeTakeFirst());
      return r ? toUser(r) : null;
    },

    async delete(id) {
      const r = await db.deleteFrom("users").where("id", "=", id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    async getByLoginWithCredentials(login) {
      const r = await db.selectFrom("users").selectAll().where("login_key", "=", keyOf(login)).executeTakeFirst();
      if (!r) return null;
      const credentials: UserCredentials = {
        userId: r.id,
        passwordHash: r.password_hash,
        failedLogins: Number(r.failed_logins),
        lockedUntil: r.locked_until,
        totpSecretSealed: r.totp_secret_sealed,
      };
      return { user: toUser(r), credentials };
    },

    async credentials(id): Promise<UserCredentials | null> {
      const r = await db
        .selectFrom("users")
        .select(["id", "password_hash", "failed_logins", "locked_until", "totp_secret_sealed"])
        .where("id", "=", id)
        .executeTakeFirst();
      return r
        ? {
            userId: r.id,
            passwordHash: r.password_hash,
            failedLogins: Number(r.failed_logins),
            lockedUntil: r.locked_until,
            totpSecretSealed: r.totp_secret_sealed,
          }
        : null;
    },

    async recordLoginFailure(id, policy) {
      // One statement, so concurrent failures cannot both read a stale count and skip the lock.
      const r = await db
        .updateTable("users")
        .set({
          failed_logins: sql<number>`failed_logins + 1`,
          locked_until: sql<
            string | null
          >`case when failed_logins + 1 >= ${policy.maxAttempts} then ${policy.lockUntil} else locked_until end`,
        })
        .where("id", "=", id)
        .returning(["failed_logins", "locked_until"])
        .executeTakeFirst();
      return r
        ? { failedLogins: Number(r.failed_logins), lockedUntil: r.locked_until }
        : { failedLogins: 0, lockedUntil: null };
    },

    async setTotp(id, sealedSecret) {
      const r = await db
        .updateTable("users")
        .set({ totp_secret_sealed: sealedSecret, totp_last_step: null })
        .where("id", "=", id)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async useTotpStep(id, step) {
      const r = await db
        .updateTable("users")
        .set({ totp_last_step: step })
        .where("id", "=", id)
        .where((eb) => eb.or([eb("totp_last_step", "is", null), eb("totp_last_step", "<", step)]))
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async recordLoginSuccess(id, at) {
      await db
        .updateTable("users")
        .set({ failed_logins: 0, locked_until: null, last_login_at: at })
        .where("id", "=", id)
        .execute();
    },
  };
}
