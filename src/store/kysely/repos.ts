import { type Kysely, type KyselyConfig, sql } from "kysely";
import type { Repos, Store } from "../contract.js";
import { adminRepo, sessionRepo, tokenRepo } from "./access.js";
import { activationTokenRepo } from "./activation-tokens.js";
import { appRepo, appSecretRepo, assignmentRepo, signingKeyRepo } from "./apps.js";
import type { BulkWriter } from "./bulk.js";
import { cliSessionRepo, deviceAuthorizationRepo } from "./device.js";
import { directorySourceRepo } from "./directory-sources.js";
import { fullSyncRepo } from "./full-syncs.js";
import { groupRepo } from "./groups.js";
import { logRepo } from "./log.js";
import { membershipRuleRepo } from "./membership-rules.js";
import { membershipRepo } from "./memberships.js";
import { migrationJournalRepo } from "./migration-journal.js";
import { outboxRepo } from "./outbox.js";
import { policyBackupRepo } from "./policy-backups.js";
import { provisionedRepo } from "./provisioned.js";
import { roleCatalogRepo } from "./role-catalog.js";
import type { Database } from "./schema.js";
import { scimBudgetRepo } from "./scim-budgets.js";
import { serverInfoRepo } from "./server-info.js";
import { signInThrottleRepo } from "./sign-in-throttle.js";
import { upgradeNoticeRepo } from "./upgrade-notices.js";
import { userRepo } from "./users.js";

/**
 * The repositories over `db`. `tx` is given inside a transaction: bulk writes may then go around Kysely on the
 * transaction's own connection (SQLite, see bulk.ts), and the shared budgets know not to relax the commit.
 */
export function makeRepos(
  db: Kysely<Database>,
  dialect: Store["dialect"],
  tx: { bulk: BulkWriter | null } | null = null,
): Repos {
  const inTransaction = tx !== null;
  const bulk = tx?.bulk ?? null;
  return {
    apps: appRepo(db),
    assignments: assignmentRepo(db),
    upgradeNotices: upgradeNoticeRepo(db),
    signingKeys: signingKeyRepo(db),
    appSecrets: appSecretRepo(db),
    roleCatalog: roleCatalogRepo(db),
    outbox: outboxRepo(db, dialect),
    provisioned: provisionedRepo(db),
    fullSyncs: fullSyncRepo(db),
    deviceAuthorizations: deviceAuthorizationRepo(db),
    cliSessions: cliSessionRepo(db),
    migrationJournal: migrationJournalRepo(db),
    users: userRepo(db, bulk),
    groups: groupRepo(db),
    memberships: membershipRepo(db, bulk),
    membershipRules: membershipRuleRepo(db),
    tokens: tokenRepo(db),
    sessions: sessionRepo(db),
    admins: adminRepo(db),
    log: logRepo(db),
    policyBackups: policyBackupRepo(db),
    signInThrottle: signInThrottleRepo(db),
    directorySources: directorySourceRepo(db, bulk),
    scimBudgets: scimBudgetRepo(db, dialect, inTransaction),
    serverInfo: serverInfoRepo(db),
    activationTokens: activationTokenRepo(db),
  };
}

/**
 * Kysely's log hook sees every statement a connection runs, BEGIN and COMMIT included: one call per round trip
 * to PostgreSQL. Only set when asked for (tests that count round trips), so a server pays nothing for it.
 */
export function queryCounter(onQuery: (() => void) | undefined): Pick<KyselyConfig, "log"> {
  return onQuery ? { log: (event) => (event.level === "query" ? onQuery() : undefined) } : {};
}

/**
 * Both backends share this implementation: Kysely renders each dialect's SQL, and the few
 * differences (connection setup, pragmas) live in sqlite/ and postgres/.
 */
export function kyselyStore(
  db: Kysely<Database>,
  dialect: Store["dialect"],
  onClose: () => Promise<void>,
  bulk: BulkWriter | null = null,
): Store {
  return {
    dialect,
    ...makeRepos(db, dialect),
    // Bulk writes go around Kysely only inside a transaction, which holds the connection (see bulk.ts).
    transaction: (fn) => db.transaction().execute((trx) => fn(makeRepos(trx, dialect, { bulk }))),
    async analyze() {
      // SQLite's ANALYZE and PostgreSQL's both take every table by default.
      await sql`analyze`.execute(db);
    },
    async ping() {
      await db.selectFrom("users").select("id").limit(1).execute();
    },
    close: onClose,
  };
}
