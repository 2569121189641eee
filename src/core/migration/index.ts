/**
 * The migration toolkit: off the legacy API mode onto role groups — inventory, plan, proof, apply,
 * rollback, cut-over. The CLI and the admin API build it from the runtime through `migrationServices`.
 */
import type { ExtraSteps } from "./apply.js";
import { type MigrationWriteDeps, MigrationWriter } from "./apply.js";
import type { MembershipRules } from "./directory-steps.js";
import { MigrationReader } from "./service.js";

export { DEFAULT_NAME_TEMPLATE } from "./group-names.js";
export type { Plan, PlanOptions } from "./plan-model.js";
export type { ProofResult } from "./proof.js";

export interface MigrationWiring extends Omit<MigrationWriteDeps, "rules" | "extraSteps"> {
  /** The directory's membership rules, when this build has them. */
  membershipRules?: MembershipRules | undefined;
  /** AWS steps (SAML providers, trust policies), when wired. */
  awsSteps?: ExtraSteps | undefined;
}

export function migrationServices(w: MigrationWiring) {
  const deps: MigrationWriteDeps = { ...w, rules: w.membershipRules, extraSteps: w.awsSteps };
  return { reader: new MigrationReader(deps), writer: new MigrationWriter(deps) };
}
