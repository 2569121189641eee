import { AwsError } from "../protocol/errors.js";
import { assumedRoleArn } from "../state/arns.js";
import type { Role, RoleSession, SandboxState, User } from "../state/model.js";
import type { SigningSecret } from "./sigv4.js";

/** Who is calling, once the signature checked out. */
export type Caller =
  | { kind: "user"; accountId: string; arn: string; userId: string; user: User }
  | { kind: "assumed-role"; accountId: string; arn: string; userId: string; role: Role; session: RoleSession };

export const invalidToken = () =>
  new AwsError("InvalidClientTokenId", "The security token included in the request is invalid.", 403);

export interface ResolvedKey {
  secret: SigningSecret;
  caller: Caller;
}

/**
 * Maps an access key id to its secret and principal. Session keys must come with their own session token and
 * be unexpired; a revoked or deleted role ends its sessions, as deleting a role does in AWS.
 */
export function resolveAccessKey(
  state: Readonly<SandboxState>,
  accessKeyId: string,
  presentedToken: string | undefined,
  now = new Date(),
): ResolvedKey {
  for (const user of state.users) {
    const key = user.accessKeys.find((k) => k.accessKeyId === accessKeyId);
    if (!key) continue;
    if (key.status !== "Active") throw invalidToken();
    return {
      secret: { secretAccessKey: key.secretAccessKey },
      caller: { kind: "user", accountId: user.accountId, arn: user.arn, userId: user.userId, user },
    };
  }
  const session = state.sessions.find((s) => s.accessKeyId === accessKeyId);
  if (!session || presentedToken !== session.sessionToken) throw invalidToken();
  if (Date.parse(session.expiration) <= now.getTime()) {
    throw new AwsError("ExpiredToken", "The security token included in the request is expired", 400);
  }
  const role = state.roles.find((r) => r.arn === session.roleArn);
  if (!role) throw invalidToken();
  return {
    secret: { secretAccessKey: session.secretAccessKey, sessionToken: session.sessionToken },
    caller: {
      kind: "assumed-role",
      accountId: session.accountId,
      arn: assumedRoleArn(session.accountId, role.name, session.sessionName),
      userId: session.assumedRoleId,
      role,
      session,
    },
  };
}
