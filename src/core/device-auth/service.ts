import type { Store } from "../../store/contract.js";
import type { CliSession, DeviceAuthorization } from "../../store/contract-device.js";
import { type Actor, logEvent } from "../audit.js";
import { sha256Hex } from "../crypto/tokens.js";
import type { User } from "../directory/model.js";
import { DomainError, notFound } from "../errors.js";
import { type Clock, newId, systemClock } from "../ids.js";
import {
  ACCESS_TOKEN_PREFIX,
  displayUserCode,
  hashUserCode,
  newAccessToken,
  newDeviceCode,
  newRefreshToken,
  newUserCode,
  normalizeUserCode,
  REFRESH_TOKEN_PREFIX,
} from "./codes.js";
import { OAuthError } from "./oauth-errors.js";

/** The public clients allowed to ask for a device code: rolebridge's own CLI. */
export const CLI_CLIENT_ID = "rolebridge-cli";
export const DEVICE_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code";
const KNOWN_CLIENTS = new Set([CLI_CLIENT_ID]);
const SCOPE = "aws";

export interface DeviceAuthPolicy {
  /** Absolute session length; refreshes never go past it. */
  maxSessionHours: number;
  pollIntervalSeconds: number;
  deviceCodeSeconds?: number;
  accessTokenSeconds?: number;
}

export interface DeviceAuthorizationResponse {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

export interface TokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  refresh_token: string;
  scope: string;
}

/** slow_down is decided against the interval, with a little slack for network jitter on a well-behaved client. */
const POLL_SLACK_MS = 250;

/**
 * Sign-in for programs: OAuth 2.0 Device Authorization Grant (RFC 8628) with refresh tokens (RFC 6749 §6)
 * and revocation (RFC 7009). A person approves a device code in the portal; the CLI then holds a short-lived
 * access token it refreshes, up to an absolute session end; codes and tokens are stored only as hashes.
 */
export class DeviceAuthService {
  private readonly deviceCodeSeconds: number;
  private readonly accessTokenSeconds: number;

  constructor(
    private readonly store: Store,
    private readonly policy: DeviceAuthPolicy,
    private readonly clock: Clock = systemClock,
  ) {
    this.deviceCodeSeconds = policy.deviceCodeSeconds ?? 600;
    this.accessTokenSeconds = policy.accessTokenSeconds ?? 3600;
  }

  private checkClient(clientId: string | undefined): string {
    if (!clientId) throw new OAuthError("invalid_request", "client_id is required");
    if (!KNOWN_CLIENTS.has(clientId)) throw new OAuthError("invalid_client", `unknown client ${clientId}`);
    return clientId;
  }

  /** RFC 8628 §3.1-3.2: a device code for the program, a user code for the person. */
  async startAuthorization(
    input: { clientId?: string | undefined; scope?: string | undefined },
    verificationUri: string,
  ): Promise<DeviceAuthorizationResponse> {
    const clientId = this.checkClient(input.clientId);
    if (input.scope?.split(" ").some((s) => s !== SCOPE)) {
      throw new OAuthError("invalid_scope", `the only scope is "${SCOPE}"`);
    }
    const deviceCode = newDeviceCode();
    const userCode = newUserCode();
    const now = this.clock.now();
    await this.store.deviceAuthorizations.deleteExpired(now.toISOString());
    await this.store.deviceAuthorizations.insert({
      id: newId("dva"),
      deviceCodeHash: sha256Hex(deviceCode),
      userCodeHash: hashUserCode(normalizeUserCode(userCode)!),
      clientId,
      scope: SCOPE,
      intervalSeconds: this.policy.pollIntervalSeconds,
      at: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.deviceCodeSeconds * 1000).toISOString(),
    });
    return {
      device_code: deviceCode,
      user_code: userCode,
      verification_uri: verificationUri,
      verification_uri_complete: `${verificationUri}?user_code=${encodeURIComponent(userCode)}`,
      expires_in: this.deviceCodeSeconds,
      interval: this.policy.pollIntervalSeconds,
    };
  }

  /** The pending authorization a typed user code names, or null (unknown, decided or expired). */
  async pendingByUserCode(typed: string): Promise<{ authorization: DeviceAuthorization; userCode: string } | null> {
    const normalized = normalizeUserCode(typed);
    if (!normalized) return null;
    const found = await this.store.deviceAuthorizations.getByUserCodeHash(hashUserCode(normalized));
    if (found?.status !== "pending" || Date.parse(found.expiresAt) <= this.clock.now().getTime()) return null;
    return { authorization: found, userCode: displayUserCode(normalized) };
  }

  /** The signed-in person approves (or denies) the sign-in of the program showing this code. */
  async decide(user: User, typedUserCode: string, approve: boolean, requestId: string | null = null): Promise<void> {
    const pending = await this.pendingByUserCode(typedUserCode);
    if (!pending) {
      throw new DomainError(
        "not_found",
        "this code is unknown or has expired; start again with `rolebridge aws login`",
      );
    }
    const at = this.clock.now().toISOString();
    const status = approve ? "approved" : "denied";
    const actor: Actor = { type: "user", id: user.id, display: user.profile.login, requestId };
    await this.store.transaction(async (tx) => {
      if (!(await tx.deviceAuthorizations.decide(pending.authorization.id, status, user.id, at))) {
        throw new DomainError("conflict", "this sign-in was already approved or denied");
      }
      await tx.log.append(
        logEvent(
          this.clock,
          actor,
          approve ? "user.device_authorization.approve" : "user.device_authorization.deny",
          { type: "user", id: user.id, display: user.profile.login },
          { clientId: pending.authorization.clientId, authorization: pending.authorization.id },
        ),
      );
    });
  }

  /** RFC 8628 §3.4-3.5: the program's poll. Throws the RFC's errors until the person has decided. */
  async pollToken(input: { clientId?: string | undefined; deviceCode?: string | undefined }): Promise<TokenResponse> {
    const clientId = this.checkClient(input.clientId);
    if (!input.deviceCode) throw new OAuthError("invalid_request", "device_code is required");
    const found =
      input.deviceCode.length <= 200
        ? await this.store.deviceAuthorizations.getByDeviceCodeHash(sha256Hex(input.deviceCode))
        : null;
    if (!found || found.clientId !== clientId) throw new OAuthError("invalid_grant", "the device code is not known");
    if (found.status === "consumed") throw new OAuthError("invalid_grant", "the device code was already used");
    const now = this.clock.now();
    if (Date.parse(found.expiresAt) <= now.getTime()) {
      throw new OAuthError("expired_token", "the device code has expired; start the sign-in again");
    }
    if (found.status === "denied") throw new OAuthError("access_denied", "the sign-in was denied");
    if (found.status === "pending") {
      const tooSoon =
        found.lastPolledAt !== null &&
        now.getTime() - Date.parse(found.lastPolledAt) < found.intervalSeconds * 1000 - POLL_SLACK_MS;
      // RFC 8628 §3.5: on slow_down the interval grows by 5 seconds for this and every later request.
      const interval = tooSoon ? found.intervalSeconds + 5 : found.intervalSeconds;
      await this.store.deviceAuthorizations.recordPoll(found.id, now.toISOString(), interval);
      if (tooSoon) throw new OAuthError("slow_down", `poll at most every ${interval} seconds`);
      throw new OAuthError("authorization_pending", "the person has not approved the sign-in yet");
    }
    const userId = found.userId!;
    const user = await this.store.users.get(userId);
    if (user?.status !== "ACTIVE") throw new OAuthError("access_denied", "the account is not active");
    const sessionEnd = new Date(now.getTime() + this.policy.maxSessionHours * 3_600_000);
    const tokens = this.newTokens(now, sessionEnd);
    await this.store.transaction(async (tx) => {
      if (!(await tx.deviceAuthorizations.consume(found.id, now.toISOString()))) {
        throw new OAuthError("invalid_grant", "the device code was already used");
      }
      const session = await tx.cliSessions.insert({
        id: newId("cls"),
        userId,
        clientId,
        accessTokenHash: sha256Hex(tokens.access),
        refreshTokenHash: sha256Hex(tokens.refresh),
        accessExpiresAt: tokens.accessExpiresAt,
        sessionExpiresAt: sessionEnd.toISOString(),
        at: now.toISOString(),
      });
      await tx.log.append(
        logEvent(
          this.clock,
          { type: "user", id: user.id, display: user.profile.login },
          "user.cli_session.start",
          { type: "user", id: user.id, display: user.profile.login },
          { cliSession: session.id, clientId, expiresAt: session.sessionExpiresAt },
        ),
      );
    });
    return this.tokenResponse(tokens, now);
  }

  /** RFC 6749 §6: a new access token and a new refresh token (the presented one stops working). */
  async refresh(input: { clientId?: string | undefined; refreshToken?: string | undefined }): Promise<TokenResponse> {
    const clientId = this.checkClient(input.clientId);
    const presented = input.refreshToken;
    if (!presented) throw new OAuthError("invalid_request", "refresh_token is required");
    const invalid = () => new OAuthError("invalid_grant", "the sign-in has ended; run `rolebridge aws login`");
    if (!presented.startsWith(REFRESH_TOKEN_PREFIX) || presented.length > 200) throw invalid();
    const hash = sha256Hex(presented);
    const session = await this.store.cliSessions.findByRefreshHash(hash);
    const now = this.clock.now();
    if (!session || session.clientId !== clientId || session.revokedAt) throw invalid();
    if (Date.parse(session.sessionExpiresAt) <= now.getTime()) throw invalid();
    const user = await this.store.users.get(session.userId);
    if (user?.status !== "ACTIVE") throw invalid();
    const tokens = this.newTokens(now, new Date(session.sessionExpiresAt));
    const rotated = await this.store.cliSessions.rotate(session.id, hash, {
      accessTokenHash: sha256Hex(tokens.access),
      refreshTokenHash: sha256Hex(tokens.refresh),
      accessExpiresAt: tokens.accessExpiresAt,
    });
    if (!rotated) throw invalid();
    return this.tokenResponse(tokens, now);
  }

  /** The person and session behind an access token, or null (unknown, expired, revoked, person not active). */
  async authenticate(accessToken: string): Promise<{ session: CliSession; user: User } | null> {
    if (!accessToken.startsWith(ACCESS_TOKEN_PREFIX) || accessToken.length > 200) return null;
    const now = this.clock.now();
    const session = await this.store.cliSessions.findActiveByAccessHash(sha256Hex(accessToken), now.toISOString());
    if (!session) return null;
    const user = await this.store.users.get(session.userId);
    if (user?.status !== "ACTIVE") return null;
    if (!session.lastUsed || now.getTime() - Date.parse(session.lastUsed) > 60_000) {
      await this.store.cliSessions.touch(session.id, now.toISOString());
    }
    return { session, user };
  }

  /** RFC 7009: revoking either token ends the whole session. Unknown tokens are not an error. */
  async revokeToken(token: string, requestId: string | null = null): Promise<void> {
    if (token.length > 200) return;
    const hash = sha256Hex(token);
    let session: CliSession | null = null;
    if (token.startsWith(REFRESH_TOKEN_PREFIX)) session = await this.store.cliSessions.findByRefreshHash(hash);
    else if (token.startsWith(ACCESS_TOKEN_PREFIX)) {
      session = await this.store.cliSessions.findActiveByAccessHash(hash, this.clock.now().toISOString());
    }
    if (!session || session.revokedAt) return;
    const user = await this.store.users.get(session.userId);
    const who = user ? user.profile.login : session.userId;
    await this.endSessions({ type: "user", id: session.userId, display: who, requestId }, session.userId, [session]);
  }

  listForUser(userId: string): Promise<CliSession[]> {
    return this.store.cliSessions.listForUser(userId);
  }

  /** An administrator ends one of a person's CLI sessions, or all of them. Returns how many ended. */
  async revokeForUser(actor: Actor, userId: string, sessionId?: string): Promise<number> {
    const all = await this.store.cliSessions.listForUser(userId);
    const chosen = sessionId === undefined ? all.filter((s) => !s.revokedAt) : all.filter((s) => s.id === sessionId);
    if (sessionId !== undefined && chosen.length === 0) throw notFound("CLI session", sessionId);
    if (sessionId !== undefined && chosen[0]!.revokedAt) {
      throw new DomainError("conflict", `CLI session ${sessionId} is already revoked`, { id: sessionId });
    }
    return this.endSessions(actor, userId, chosen);
  }

  private async endSessions(actor: Actor, userId: string, sessions: CliSession[]): Promise<number> {
    if (sessions.length === 0) return 0;
    const at = this.clock.now().toISOString();
    const user = await this.store.users.get(userId);
    return this.store.transaction(async (tx) => {
      let ended = 0;
      for (const s of sessions) if (await tx.cliSessions.revoke(s.id, at)) ended++;
      await tx.log.append(
        logEvent(
          this.clock,
          actor,
          "user.cli_session.revoke",
          { type: "user", id: userId, display: user?.profile.login ?? userId },
          { cliSessions: sessions.map((s) => s.id) },
        ),
      );
      return ended;
    });
  }

  private newTokens(now: Date, sessionEnd: Date) {
    const accessEnd = Math.min(now.getTime() + this.accessTokenSeconds * 1000, sessionEnd.getTime());
    return {
      access: newAccessToken(),
      refresh: newRefreshToken(),
      accessExpiresAt: new Date(accessEnd).toISOString(),
    };
  }

  private tokenResponse(t: ReturnType<DeviceAuthService["newTokens"]>, now: Date): TokenResponse {
    return {
      access_token: t.access,
      token_type: "Bearer",
      expires_in: Math.max(1, Math.floor((Date.parse(t.accessExpiresAt) - now.getTime()) / 1000)),
      refresh_token: t.refresh,
      scope: SCOPE,
    };
  }
}
