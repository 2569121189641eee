import { noSuchEntity } from "../protocol/errors.js";
import type { OperationContext } from "../protocol/handlers.js";
import { roleArn, userArn } from "../state/arns.js";
import type { ManagedPolicy, Role, SandboxState, User } from "../state/model.js";

/** IAM names are unique and matched without regard to case within an account. */
const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function findRole(state: Readonly<SandboxState>, accountId: string, name: string): Role | undefined {
  return state.roles.find((r) => r.accountId === accountId && sameName(r.name, name));
}

export function getRole(state: Readonly<SandboxState>, accountId: string, name: string): Role {
  const role = findRole(state, accountId, name);
  if (!role) throw noSuchEntity(`The role with name ${name} cannot be found.`);
  return role;
}

export function findUser(state: Readonly<SandboxState>, accountId: string, name: string): User | undefined {
  return state.users.find((u) => u.accountId === accountId && sameName(u.name, name));
}

export function getUser(state: Readonly<SandboxState>, accountId: string, name: string): User {
  const user = findUser(state, accountId, name);
  if (!user) throw noSuchEntity(`The user with name ${name} cannot be found.`);
  return user;
}

/** Policies visible to an account: its own and AWS managed ones. */
export function getPolicy(state: Readonly<SandboxState>, accountId: string, arn: string): ManagedPolicy {
  const policy = state.policies.find((p) => p.arn === arn && (p.accountId === accountId || p.accountId === "aws"));
  if (!policy) throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
  return policy;
}

export function attachmentCount(state: Readonly<SandboxState>, arn: string): number {
  return [...state.roles, ...state.users].filter((p) => p.attachedPolicyArns.includes(arn)).length;
}

/**
 * Looks a role up for an operation, authorizing first: like AWS, a caller without permission learns
 * AccessDenied, not whether the role exists.
 */
export async function authorizedRole(
  ctx: OperationContext<unknown>,
  accountId: string,
  name: string,
  action: string,
): Promise<Role> {
  const role = findRole(ctx.store.state, accountId, name);
  await ctx.authorize({ action, resource: role?.arn ?? roleArn(accountId, "/", name) });
  return role ?? getRole(ctx.store.state, accountId, name);
}

export async function authorizedUser(
  ctx: OperationContext<unknown>,
  accountId: string,
  name: string,
  action: string,
): Promise<User> {
  const user = findUser(ctx.store.state, accountId, name);
  await ctx.authorize({ action, resource: user?.arn ?? userArn(accountId, "/", name) });
  return user ?? getUser(ctx.store.state, accountId, name);
}
