import { isoSeconds } from "../protocol/query.js";
import { assumedRoleArn } from "../state/arns.js";
import { iamId, secretKey, sessionToken } from "../state/ids.js";
import type { Role, RoleSession } from "../state/model.js";
import type { SandboxStore } from "../state/store.js";

export interface SessionRequest {
  role: Role;
  sessionName: string;
  durationSeconds: number;
  sourceIdentity?: string | undefined;
  tags?: Record<string, string>;
  now: Date;
}

/** Issues temporary credentials and records them so later SigV4 calls can authenticate as the session. */
export function issueSession(store: SandboxStore, request: SessionRequest): RoleSession {
  const expiration = new Date(Math.floor(request.now.getTime() / 1000) * 1000 + request.durationSeconds * 1000);
  const session: RoleSession = {
    accessKeyId: iamId("ASIA"),
    secretAccessKey: secretKey(),
    sessionToken: sessionToken(),
    expiration: expiration.toISOString(),
    accountId: request.role.accountId,
    roleArn: request.role.arn,
    sessionName: request.sessionName,
    assumedRoleId: `${request.role.roleId}:${request.sessionName}`,
    sourceIdentity: request.sourceIdentity,
    tags: request.tags ?? {},
  };
  store.mutate((state) => {
    state.sessions = state.sessions.filter((s) => Date.parse(s.expiration) > request.now.getTime());
    state.sessions.push(session);
  });
  return session;
}

export function renderCredentials(session: RoleSession, role: Role) {
  return {
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: isoSeconds(new Date(session.expiration)),
    },
    AssumedRoleUser: {
      AssumedRoleId: session.assumedRoleId,
      Arn: assumedRoleArn(session.accountId, role.name, session.sessionName),
    },
  };
}
