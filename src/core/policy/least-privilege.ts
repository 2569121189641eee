import { LEGACY_API_CALLS } from "../aws/role-discovery.js";
import { assumedAccounts, crossAccountRoleArnIn, type IntegrationContext } from "./context.js";

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Array<{ Sid: string; Effect: "Allow"; Action: string | string[]; Resource: string | string[] }>;
}

/** The IAM actions the API-mode keys send themselves, from the code's own declared list. */
export const keysCalls = () => LEGACY_API_CALLS.filter((c) => (c.by as readonly string[]).includes("keys"));

/**
 * The policy the integration needs and nothing more, derived from LEGACY_API_CALLS: account-wide calls on "*"
 * (IAM offers no narrower resource for them), sts:AssumeRole on exactly the cross-account role of each other
 * connected account (with its path). GetCallerIdentity needs no permission and is left out.
 */
export function leastPrivilegePolicy(ctx: IntegrationContext): PolicyDocument {
  const calls = keysCalls();
  const accountWide = [...new Set(calls.filter((c) => c.resource === "*").map((c) => c.action))].sort();
  const assumeActions = [...new Set(calls.filter((c) => c.resource === "cross-account role").map((c) => c.action))];
  const roles = assumedAccounts(ctx)
    .map((id) => crossAccountRoleArnIn(ctx, id))
    .sort();
  const statement: PolicyDocument["Statement"] = [];
  if (accountWide.length)
    statement.push({ Sid: "RolebridgeReadRoleLists", Effect: "Allow", Action: accountWide, Resource: "*" });
  if (assumeActions.length && roles.length) {
    statement.push({
      Sid: "RolebridgeAssumeCrossAccountRole",
      Effect: "Allow",
      Action: assumeActions.length === 1 ? assumeActions[0]! : assumeActions,
      Resource: roles.length === 1 ? roles[0]! : roles,
    });
  }
  return { Version: "2012-10-17", Statement: statement };
}
