import type { Kysely, Selectable } from "kysely";
import type { ActivationPurpose, ActivationToken, ActivationTokenRepo } from "../contract-activation.js";
import type { ActivationTokensTable, Database } from "./schema.js";

const toToken = (r: Selectable<ActivationTokensTable>): ActivationToken => ({
  tokenHash: r.token_hash,
  userId: r.user_id,
  purpose: r.purpose as ActivationPurpose,
  created: r.created_at,
  expiresAt: r.expires_at,
  createdBy: r.created_by,
});

export function activationTokenRepo(db: Kysely<Database>): ActivationTokenRepo {
  return {
    async insert(t) {
      await db
        .insertInto("activation_tokens")
        .values({
          token_hash: t.tokenHash,
          user_id: t.userId,
          purpose: t.purpose,
          created_at: t.created,
          expires_at: t.expiresAt,
          created_by: t.createdBy,
        })
        .execute();
    },
    async get(tokenHash) {
      const r = await db
        .selectFrom("activation_tokens")
        .selectAll()
        .where("token_hash", "=", tokenHash)
        .executeTakeFirst();
      return r ? toToken(r) : null;
    },
    async deleteForUser(userId) {
      const r = await db.deleteFrom("activation_tokens").where("user_id", "=", userId).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
    async delete(tokenHash) {
      const r = await db.deleteFrom("activation_tokens").where("token_hash", "=", tokenHash).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
  };
}
