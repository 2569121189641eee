/**
 * SAML in every account, for the migration: read each account's providers and role trust, plan the changes as a
 * dry-run diff, apply them as journal-friendly steps with exact undo, or hand the same setup to CloudFormation.
 */
export {
  type AccountSession,
  AccountSessions,
  DEFAULT_ADMIN_ROLE,
  remoteFailure,
  type SessionOptions,
} from "./account-session.js";
export {
  type AccountSamlState,
  type AccountStateResult,
  readAccountState,
  readAccountStates,
  type StateQuery,
} from "./account-state.js";
export { appSamlSettings, samlTargetFor } from "./app-target.js";
export { type AccountOutcome, applyAccounts, type ItemFailure, planAccounts, type StepOutcome } from "./apply.js";
export {
  type CloudFormationFormat,
  importTemplate,
  perAccountTemplate,
  renderTemplate,
  resourcesToImport,
  stackSetTemplate,
  type TemplateRole,
} from "./cloudformation.js";
export {
  type AccountSamlPlan,
  checkTarget,
  describeAccountPlan,
  type ProviderChange,
  planAccount,
  type SamlTarget,
  type TrustChange,
} from "./plan.js";
export {
  type ProviderResult,
  type ProviderStep,
  runStep,
  type SamlStep,
  type StepResult,
  stepKey,
  stepsForPlan,
  type TrustResult,
  type TrustStep,
  type UndoResult,
  undoStep,
} from "./steps.js";
export { samlStatement, statementSid, withoutStatement, withSamlStatement } from "./trust-policy.js";
