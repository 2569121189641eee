import type { AccountSessions } from "./account-session.js";
import { remoteFailure } from "./account-session.js";
import { type AccountSamlState, readAccountState, type StateQuery } from "./account-state.js";
import { type AccountSamlPlan, planAccount, type SamlTarget } from "./plan.js";
import { runStep, type SamlStep, type StepResult, stepKey, stepsForPlan } from "./steps.js";

export interface ItemFailure {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

export type StepOutcome =
  | { key: string; step: SamlStep; ok: true; result: StepResult }
  | { key: string; step: SamlStep; ok: false; error: ItemFailure };

export interface AccountOutcome {
  accountId: string;
  /** Null when the account could not be opened or read. */
  plan: AccountSamlPlan | null;
  error: ItemFailure | null;
  steps: StepOutcome[];
}

const asFailure = (err: unknown, what: string, details: Record<string, unknown>): ItemFailure => {
  const e = remoteFailure(err, what, details);
  return { code: e.code, message: e.message, details: e.details };
};

/** Reads one account and plans it; an account that cannot be reached becomes an error, not an exception. */
export async function planAccounts(
  sessions: AccountSessions,
  target: SamlTarget,
  roleArnsByAccount: ReadonlyMap<string, readonly string[]>,
): Promise<AccountOutcome[]> {
  const outcomes: AccountOutcome[] = [];
  for (const [accountId, roleArns] of [...roleArnsByAccount].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const query: StateQuery = { providerName: target.providerName, roleArns };
    try {
      const state: AccountSamlState = await readAccountState(await sessions.open(accountId), query);
      outcomes.push({ accountId, plan: planAccount(state, target), error: null, steps: [] });
    } catch (err) {
      outcomes.push({ accountId, plan: null, error: asFailure(err, `account ${accountId}`, { accountId }), steps: [] });
    }
  }
  return outcomes;
}

/**
 * Plans and applies every account, one step at a time, reporting per item: a failing account or role does not
 * stop the others. With `dryRun` only the plans are returned. The migration's journaled apply calls
 * `runStep`/`undoStep` itself instead; this is for a one-shot run (`migrate saml apply`).
 */
export async function applyAccounts(
  sessions: AccountSessions,
  target: SamlTarget,
  roleArnsByAccount: ReadonlyMap<string, readonly string[]>,
  opts: { dryRun?: boolean } = {},
): Promise<AccountOutcome[]> {
  const outcomes = await planAccounts(sessions, target, roleArnsByAccount);
  if (opts.dryRun) return outcomes;
  for (const outcome of outcomes) {
    if (!outcome.plan) continue;
    for (const step of stepsForPlan(outcome.plan, target)) {
      const key = stepKey(step);
      try {
        const result = await runStep(await sessions.open(step.accountId), step);
        outcome.steps.push({ key, step, ok: true, result });
      } catch (err) {
        outcome.steps.push({ key, step, ok: false, error: asFailure(err, key, { accountId: step.accountId }) });
        // Trust statements name the provider: without it they would point at nothing.
        if (step.kind === "provider") break;
      }
    }
  }
  return outcomes;
}
