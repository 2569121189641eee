import { type Kysely, type KyselyConfig, sql } from "kysely";
import type { Repos, Store } from "../contract.js";
import { adminRepo, sessionRepo, tokenRepo } from "./access.js";
import { appRepo, appSecretRepo, assignmentRepo, signingKeyRepo } from "./apps.js";
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

export function makeRepos(db: Kysely<Database>, dialect: Store["dialect"], inTransaction = false): Repos {
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
    users: userRepo(db),
    groups: groupRepo(db),
    memberships: membershipRepo(db),
    membershipRules: membershipRuleRepo(db),
    tokens: tokenRepo(db),
    sessions: sessionRepo(db),
    admins: adminRepo(db),
    log: logRepo(db),
    policyBackups: policyBackupRepo(db),
    signInThrottle: signInThrottleRepo(db),
    directorySources: directorySourceRepo(db),
    scimBudgets: scimBudgetRepo(db, dialect, inTransaction),
    serverInfo: serverInfoRepo(db),
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
export function kyselyStore(db: Kysely<Database>, dialect: Store["dialect"], onClose: () => Promise<void>): Store {
  return {
    dialect,
    ...makeRepos(db, dialect),
    transaction: (fn) => db.transaction().execute((trx) => fn(makeRepos(trx, dialect, true))),
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
