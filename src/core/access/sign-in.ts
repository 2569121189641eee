import type { Store } from "../../store/contract.js";
import { type Actor, logEvent } from "../audit.js";
import { verifyPassword } from "../crypto/passwords.js";
import type { SecretBox } from "../crypto/secretbox.js";
import { newSecret, sha256Hex } from "../crypto/tokens.js";
import type { Session, User } from "../directory/model.js";
import { DomainError } from "../errors.js";
import { type Clock, systemClock } from "../ids.js";
import { nameKey } from "../import/rows.js";
import { SignInThrottle, type ThrottlePolicy } from "./throttle.js";
import { verifyTotp } from "./totp.js";

export interface SignInPolicy extends ThrottlePolicy {
  sessionTtlMinutes: number;
}

export const ADMIN_ROLE = "super_admin";

/**
 * Password sign-in and sessions, for the admin console and the end-user portal. Every attempt is counted
 * before its password is checked (see SignInThrottle), unknown logins are checked against a dummy hash and
 * counted alike, and every failure answers "invalid login or password": neither the answer nor the work
 * tells which logins exist.
 */
export class SignInService {
  private readonly throttle: SignInThrottle;

  constructor(
    private readonly store: Store,
    private readonly policy: SignInPolicy,
    private readonly clock: Clock = systemClock,
    /** Opens TOTP secrets; without it, users with a TOTP factor cannot sign in (fail closed). */
    private readonly secrets: SecretBox | null = null,
    /** People of a directory source with password sign-in: their directory checks the password (null: not theirs). */
    private readonly directoryPasswords: {
      verifyPassword(userId: string, password: string): Promise<boolean | null>;
    } | null = null,
  ) {
    this.throttle = new SignInThrottle(() => this.store.signInThrottle, policy, clock);
  }

  async signIn(
    kind: Session["kind"],
    login: string,
    password: string,
    requestId: string | null = null,
    totpCode?: string,
    /** The client's address: attempts are throttled per (login, address) and per address. */
    clientAddress: string | null = null,
  ): Promise<{ user: User; sessionId: string; session: Session }> {
    const now = this.clock.now();
    const reservation = await this.throttle.reserve(nameKey(login), clientAddress);
    // The user and their credentials in one row read.
    const found = await this.store.users.getByLoginWithCredentials(login);
    const user = found?.user ?? null;
    const actor: Actor = { type: "user", id: user?.id ?? null, display: login.slice(0, 100), requestId };
    if (reservation.refusedUntil) {
      await this.audit(actor, user, "FAILURE", "throttled", { clientAddress });
      throw new DomainError("locked_out", "too many failed sign-ins; try again later", {
        until: reservation.refusedUntil,
      });
    }
    const creds = found?.credentials ?? null;
    const viaDirectory =
      user && this.directoryPasswords ? await this.directoryPasswords.verifyPassword(user.id, password) : null;
    const ok = viaDirectory ?? (await verifyPassword(creds?.passwordHash ?? null, password));
    if (!user || !ok) {
      await this.audit(actor, user, "FAILURE", "invalid_credentials", { clientAddress });
      throw new DomainError("unauthorized", "invalid login or password");
    }
    if (creds?.totpSecretSealed) {
      const ok2 =
        totpCode !== undefined &&
        this.secrets !== null &&
        (await verifyTotp(this.store, this.secrets, user.id, creds.totpSecretSealed, totpCode.trim(), now));
      if (!ok2) {
        await this.audit(actor, user, "FAILURE", totpCode ? "invalid_totp" : "totp_required");
        throw new DomainError(
          "unauthorized",
          totpCode ? "the verification code is not correct" : "enter the verification code from your authenticator app",
          {
            secondFactor: "totp",
          },
        );
      }
    }
    if (user.status !== "ACTIVE") {
      await this.audit(actor, user, "FAILURE", `status_${user.status.toLowerCase()}`);
      throw new DomainError("unauthorized", "invalid login or password");
    }
    if (kind === "admin" && !(await this.store.admins.rolesOf(user.id)).includes(ADMIN_ROLE)) {
      await this.audit(actor, user, "FAILURE", "not_an_admin");
      throw new DomainError("forbidden", "this account is not an administrator");
    }
    // A fresh random id at every sign-in: a session id planted before sign-in is never promoted (fixation).
    const sessionId = newSecret();
    const session: Session = {
      id: sha256Hex(sessionId),
      userId: user.id,
      kind,
      csrfToken: newSecret(),
      created: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.policy.sessionTtlMinutes * 60_000).toISOString(),
      lastSeen: now.toISOString(),
    };
    await this.throttle.succeeded(reservation);
    await this.store.transaction(async (tx) => {
      await tx.users.recordLoginSuccess(user.id, now.toISOString());
      await tx.sessions.insert({ ...session, idHash: session.id, at: session.created });
      await tx.log.append(
        logEvent(
          this.clock,
          actor,
          `user.session.start`,
          { type: "user", id: user.id, display: user.profile.login },
          {
            kind,
          },
        ),
      );
    });
    return { user, sessionId, session };
  }

  /** The session behind a cookie value, if it is still valid and its user still active. */
  async session(sessionId: string): Promise<{ session: Session; user: User } | null> {
    if (!sessionId || sessionId.length > 200) return null;
    const now = this.clock.now().toISOString();
    // Session and user in one statement: every signed-in request starts here.
    const found = await this.store.sessions.findActiveWithUser(sha256Hex(sessionId), now);
    if (found?.user.status !== "ACTIVE") return null;
    return found;
  }

  async signOut(sessionId: string): Promise<void> {
    await this.store.sessions.delete(sha256Hex(sessionId));
  }

  /** Whether failed sign-ins lock this login now (at an address or everywhere), for the console's Unlock. */
  async lockOf(login: string): Promise<{ locked: boolean; until: string | null; everywhere: boolean }> {
    const lock = await this.throttle.lockedUntil(nameKey(login));
    return { locked: lock !== null, until: lock?.until ?? null, everywhere: lock?.everywhere ?? false };
  }

  /** An administrator lifts every sign-in throttle kept for a login, at every address; logged. */
  async unlock(actor: Actor, login: string): Promise<{ cleared: number }> {
    const user = await this.store.users.getByLogin(login);
    return this.store.transaction(async (tx) => {
      const cleared = await tx.signInThrottle.clearLogin(nameKey(user?.profile.login ?? login));
      const target = user ? { type: "user", id: user.id, display: user.profile.login } : null;
      await tx.log.append(logEvent(this.clock, actor, "user.account.unlock_by_admin", target, { login, cleared }));
      return { cleared };
    });
  }

  private async audit(
    actor: Actor,
    user: User | null,
    outcome: "SUCCESS" | "FAILURE",
    reason: string,
    extra: Record<string, unknown> = {},
  ) {
    const target = user ? { type: "user", id: user.id, display: user.profile.login } : null;
    await this.store.log.append(
      logEvent(this.clock, actor, "user.session.start", target, { reason, ...extra }, outcome),
    );
  }
}
