/**
 * The migration toolkit: off the legacy API mode onto role groups — inventory, plan, proof, apply,
 * rollback, cut-over. The CLI and the admin API build it from the runtime through `migrationServices`.
 */

import type { MembershipRuleService } from "../directory/membership-rules.js";
import { DomainError } from "../errors.js";
import type { ExtraSteps } from "./apply.js";
import { type MigrationWriteDeps, MigrationWriter } from "./apply.js";
import type { MembershipRules } from "./directory-steps.js";
import { MigrationReader } from "./service.js";

export { DEFAULT_NAME_TEMPLATE } from "./group-names.js";
export type { Plan, PlanOptions } from "./plan-model.js";
export type { ProofResult } from "./proof.js";

export interface MigrationWiring extends Omit<MigrationWriteDeps, "rules" | "extraSteps"> {
  /** The directory, whose membership rules keep legacy group assignments dynamic. */
  directory: { rules: MembershipRuleService };
  /** AWS steps (SAML providers, trust policies), when wired. */
  awsSteps?: ExtraSteps | undefined;
}

export function migrationServices(w: MigrationWiring) {
  const deps: MigrationWriteDeps = { ...w, rules: rulesOf(w.directory.rules), extraSteps: w.awsSteps };
  return {
    reader: new MigrationReader(deps),
    writer: new MigrationWriter(deps),
    awsStepsWired: w.awsSteps !== undefined,
  };
}

/**
 * The directory's rules as the journal needs them: a resumed apply may create a rule that the interrupted one
 * already created (the crash fell between the two commits), and undo may remove one already gone.
 */
export function rulesOf(service: MembershipRuleService): MembershipRules {
  return {
    async createRule(actor, fromGroupId, toGroupId) {
      try {
        return await service.create(actor, fromGroupId, toGroupId);
      } catch (err) {
        const existing = err instanceof DomainError && err.code === "conflict" ? err.details.ruleId : undefined;
        if (typeof existing === "string") return { id: existing };
        throw err;
      }
    },
    async removeRule(actor, id) {
      try {
        await service.delete(actor, id);
      } catch (err) {
        if (!(err instanceof DomainError && err.code === "not_found")) throw err;
      }
    },
  };
}
