import type { Kysely } from "kysely";
import type { ServerInfoRepo } from "../contract-server.js";
import type { Database } from "./schema.js";

export function serverInfoRepo(db: Kysely<Database>): ServerInfoRepo {
  return {
    async record(info) {
      const row = {
        public_url: info.publicUrl,
        listen_url: info.listenUrl,
        data_dir: info.dataDir,
        started_at: info.startedAt,
      };
      await db
        .insertInto("server_info")
        .values({ node: info.node, ...row })
        .onConflict((oc) => oc.column("node").doUpdateSet(row))
        .execute();
    },
    async latest() {
      const r = await db
        .selectFrom("server_info")
        .selectAll()
        .orderBy("started_at", "desc")
        .orderBy("node")
        .limit(1)
        .executeTakeFirst();
      if (!r) return null;
      return {
        node: r.node,
        publicUrl: r.public_url,
        listenUrl: r.listen_url,
        dataDir: r.data_dir,
        startedAt: r.started_at,
      };
    },
  };
}
