import { randomBytes, timingSafeEqual } from "node:crypto";
import type { SigninEndpoint } from "../saml/partitions.js";
import type { SandboxState } from "../state/model.js";
import { consolePage, signinErrorPage } from "./pages.js";

/** AWS's sign-in tokens last 15 minutes. */
const TOKEN_SECONDS = 15 * 60;

export interface FederationAnswer {
  status: number;
  type: "application/json" | "text/html; charset=utf-8";
  body: string;
}

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * The AWS federation endpoint (`/federation`), enough for console sign-in from temporary credentials:
 * `getSigninToken` trades a role session's keys for a sign-in token, `login` with that token opens the
 * console as the session. Tokens live in memory only, like the console pages they lead to.
 */
export function federationEndpoint(now: () => Date = () => new Date()) {
  const tokens = new Map<string, { accessKeyId: string; expires: number }>();

  return (state: Readonly<SandboxState>, endpoint: SigninEndpoint, query: URLSearchParams): FederationAnswer => {
    const action = query.get("Action");
    if (action === "getSigninToken") {
      let session: { sessionId?: unknown; sessionKey?: unknown; sessionToken?: unknown } = {};
      try {
        session = JSON.parse(query.get("Session") ?? "{}");
      } catch {
        // Answered below as AWS does: a 400 without a token.
      }
      const found = state.sessions.find(
        (s) =>
          typeof session.sessionId === "string" &&
          s.accessKeyId === session.sessionId &&
          typeof session.sessionKey === "string" &&
          same(s.secretAccessKey, session.sessionKey) &&
          typeof session.sessionToken === "string" &&
          same(s.sessionToken, session.sessionToken) &&
          Date.parse(s.expiration) > now().getTime(),
      );
      if (!found)
        return { status: 400, type: "application/json", body: JSON.stringify({ message: "invalid session" }) };
      const token = randomBytes(48).toString("base64url");
      for (const [t, v] of tokens) if (v.expires <= now().getTime()) tokens.delete(t);
      tokens.set(token, { accessKeyId: found.accessKeyId, expires: now().getTime() + TOKEN_SECONDS * 1000 });
      return { status: 200, type: "application/json", body: JSON.stringify({ SigninToken: token }) };
    }
    if (action === "login") {
      const entry = tokens.get(query.get("SigninToken") ?? "");
      const session = entry && state.sessions.find((s) => s.accessKeyId === entry.accessKeyId);
      if (!entry || entry.expires <= now().getTime() || !session) {
        return {
          status: 400,
          type: "text/html; charset=utf-8",
          body: signinErrorPage("The sign-in token is invalid or has expired", "InvalidSigninToken"),
        };
      }
      const roleName = session.roleArn.slice(session.roleArn.lastIndexOf("/") + 1);
      return {
        status: 200,
        type: "text/html; charset=utf-8",
        body: consolePage({
          accountId: session.accountId,
          alias: state.accounts.find((a) => a.id === session.accountId)?.alias,
          roleName,
          sessionName: session.sessionName,
          expiresAt: new Date(session.expiration),
          partition: endpoint.partition,
        }),
      };
    }
    return { status: 400, type: "application/json", body: JSON.stringify({ message: "unknown Action" }) };
  };
}
