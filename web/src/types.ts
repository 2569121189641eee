import type { Static } from "@sinclair/typebox";
import type { SignInService } from "../../src/core/access/sign-in";
import type { RuleHeldMembership } from "../../src/core/apps/assignments";
import type { AppEntitlements } from "../../src/core/apps/entitlements";
import type { MigrationWriter } from "../../src/core/migration/apply";
import type { LogEventOut, SessionOut } from "../../src/server/schemas/access";
import type { AppOut, AssignmentOut, KeyOut } from "../../src/server/schemas/apps";
import type { ErrorBody } from "../../src/server/schemas/common";
import type { GroupOut } from "../../src/server/schemas/groups";
import type { UserOut } from "../../src/server/schemas/users";

/** The API's own schemas (the ones the OpenAPI document is generated from), as types: never written twice. */
export type User = Static<typeof UserOut>;
export type UserStatus = User["status"];
export type Group = Static<typeof GroupOut>;
export type App = Static<typeof AppOut>;
export type SigningKey = Static<typeof KeyOut>;
export type Assignment = Static<typeof AssignmentOut>;
export type LogEvent = Static<typeof LogEventOut>;
export type Session = Static<typeof SessionOut>;
export type ErrorResponse = Static<typeof ErrorBody>;
export type Explain = AppEntitlements & { heldByRules: RuleHeldMembership[] };
/** GET /users/:id/lifecycle/lock: whether failed sign-ins lock the person out now. */
export type SignInLock = Awaited<ReturnType<SignInService["lockOf"]>>;
export type { Inventory as MigrationInventory } from "../../src/core/migration/model";
export type { Finding, Plan as MigrationPlan } from "../../src/core/migration/plan-model";
export type { PersonDifference, ProofResult } from "../../src/core/migration/proof";
export type { MigrationProgressState as MigrationProgress } from "../../src/server/routes/migration-progress";
/** What POST /migrations/apply, /rollback and /cutover answer: the writer's own results. */
export type MigrationApplied = Awaited<ReturnType<MigrationWriter["apply"]>>;
export type MigrationRolledBack = Awaited<ReturnType<MigrationWriter["rollback"]>>;
export type MigrationCutOver = Awaited<ReturnType<MigrationWriter["cutover"]>>;
export type { AppLint } from "../../src/core/apps/lint";
export type { SyncReport } from "../../src/core/provisioning/sync-run";
export type { AccountRoleList, RefreshRun } from "../../src/store/contract-apps";
export type { ProvisionedObject } from "../../src/store/contract-outbox";
