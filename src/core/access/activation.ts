import type { Store } from "../../store/contract.js";
import type { ActivationPurpose, ActivationToken } from "../../store/contract-activation.js";
import { type Actor, logEvent, systemActor } from "../audit.js";
import { hashPassword } from "../crypto/passwords.js";
import type { SecretBox } from "../crypto/secretbox.js";
import { newSecret, sha256Hex } from "../crypto/tokens.js";
import type { User } from "../directory/model.js";
import type { UserService } from "../directory/users-service.js";
import { assertPassword } from "../directory/validate.js";
import { DomainError, validationFailed } from "../errors.js";
import { type Clock, systemClock } from "../ids.js";
import { newTotpSecret, totpSealContext, totpStepOf, totpUri } from "./totp.js";

export const DEFAULT_LINK_TTL_MS = 72 * 3600_000;
const MIN_TTL_MS = 5 * 60_000;
const MAX_TTL_MS = 30 * 24 * 3600_000;

const ttlRefused = (got: string) =>
  validationFailed(`a link lasts between 5m and 30d, written like 30m, 72h or 7d (got "${got}")`, [
    { path: "/expires", message: "must be between 5m and 30d" },
  ]);

/** `72h`, `30m`, `7d`: how long a link lasts, as the CLI's `--expires` takes it. */
export function parseLinkTtl(text: string): number {
  const m = /^(\d{1,5})(m|h|d)$/.exec(text.trim());
  const ms = m ? Number(m[1]) * { m: 60_000, h: 3600_000, d: 86_400_000 }[m[2] as "m" | "h" | "d"] : Number.NaN;
  if (!(ms >= MIN_TTL_MS && ms <= MAX_TTL_MS)) throw ttlRefused(text);
  return ms;
}

const target = (u: User) => ({ type: "user", id: u.id, display: u.profile.login });
const INVALID = "this link is not valid: it was used, replaced by a newer one, or never existed";

/** What the activation page needs to know about a live link. */
export interface LinkView {
  user: User;
  purpose: ActivationPurpose;
  /** Set when the person must enrol an authenticator on this page (the org requires MFA, they have none). */
  enrolTotp: { secret: string; uri: string; sealed: string } | null;
}

/**
 * One-time activation and reset links, so imported or created people can get in without an admin typing their
 * password: an admin issues a link (the token is shown once, only its SHA-256 is stored, a new link revokes the
 * old), the person opens it, sets a password and, when the org requires MFA, enrols an authenticator.
 */
export class ActivationService {
  constructor(
    private readonly store: Store,
    private readonly secrets: SecretBox,
    private readonly users: UserService,
    private readonly publicUrl: () => string,
    private readonly clock: Clock = systemClock,
    private readonly opts: { requireMfa?: boolean } = {},
  ) {}

  async issue(
    actor: Actor,
    userRef: string,
    opts: { reset?: boolean; ttlMs?: number } = {},
  ): Promise<{ url: string; expiresAt: string; purpose: ActivationPurpose; userId: string; login: string }> {
    const user = await this.users.get(userRef);
    if (user.status !== "ACTIVE" && user.status !== "STAGED")
      throw new DomainError("illegal_transition", `${user.profile.login} is ${user.status}: activate them first`, {
        status: user.status,
      });
    const creds = await this.store.users.credentials(user.id);
    const purpose: ActivationPurpose = opts.reset ? "reset" : "activation";
    if (purpose === "activation" && creds?.passwordHash)
      throw new DomainError(
        "conflict",
        `${user.profile.login} already has a password: issue a reset link instead (--reset, or "reset": true)`,
      );
    const ttl = opts.ttlMs ?? DEFAULT_LINK_TTL_MS;
    if (!(ttl >= MIN_TTL_MS && ttl <= MAX_TTL_MS)) throw ttlRefused(`${Math.round(ttl / 1000)}s`);
    const token = newSecret();
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + ttl).toISOString();
    await this.store.transaction(async (tx) => {
      const revoked = await tx.activationTokens.deleteForUser(user.id);
      await tx.activationTokens.insert({
        tokenHash: sha256Hex(token),
        userId: user.id,
        purpose,
        created: now.toISOString(),
        expiresAt,
        createdBy: actor.id ?? actor.display,
      });
      await tx.log.append(
        logEvent(this.clock, actor, "user.activation_link.issue", target(user), { purpose, expiresAt, revoked }),
      );
    });
    const url = `${this.publicUrl().replace(/\/+$/, "")}/activate/${token}`;
    return { url, expiresAt, purpose, userId: user.id, login: user.profile.login };
  }

  /**
   * The link's person and what the page must ask; an expired link is logged and refused. `sealed`: the form
   * shown before (after a mistake) keeps its authenticator secret, so the person need not scan again.
   */
  async open(token: string, sealed?: string): Promise<LinkView> {
    const { link, user } = await this.live(token);
    if (!(await this.needsTotp(user))) return { user, purpose: link.purpose, enrolTotp: null };
    // The new secret travels sealed in the form (bound to this link), so nothing is stored before the person
    // proves their authenticator holds it.
    const context = `activation:${link.tokenHash}`;
    let secret: string | null = null;
    try {
      secret = sealed ? this.secrets.open(sealed, context) : null;
    } catch {
      secret = null;
    }
    const fresh = secret ? { secret, uri: totpUri(secret, user.profile.login) } : newTotpSecret(user.profile.login);
    return { user, purpose: link.purpose, enrolTotp: { ...fresh, sealed: this.secrets.seal(fresh.secret, context) } };
  }

  /**
   * Sets the password (and the authenticator, when enrolled here), activates a STAGED person and uses the
   * link up, all in one transaction with its System Log entry. Existing sessions end on a reset.
   */
  async complete(
    token: string,
    input: { password: string; totp?: { sealed: string; code: string } | undefined },
  ): Promise<User> {
    const { link, user } = await this.live(token);
    assertPassword(input.password, "/password");
    let totp: { sealed: string; step: number } | null = null;
    if (await this.needsTotp(user)) {
      if (!input.totp)
        throw validationFailed("set up your authenticator app", [{ path: "/code", message: "required" }]);
      let secret: string;
      try {
        secret = this.secrets.open(input.totp.sealed, `activation:${link.tokenHash}`);
      } catch {
        throw validationFailed("the authenticator set-up was altered; open the link again", []);
      }
      const step = totpStepOf(secret, input.totp.code.trim(), this.clock.now());
      if (step === null)
        throw validationFailed("the verification code is not correct", [{ path: "/code", message: "wrong code" }]);
      totp = { sealed: this.secrets.seal(secret, totpSealContext(user.id)), step };
    }
    const passwordHash = await hashPassword(input.password);
    const at = this.clock.now().toISOString();
    return this.store.transaction(async (tx) => {
      // Consuming first makes the link one-time even when two submissions race.
      if (!(await tx.activationTokens.delete(link.tokenHash))) throw new DomainError("not_found", INVALID);
      const status = user.status === "STAGED" ? "ACTIVE" : user.status;
      const updated = await tx.users.update(user.id, { passwordHash, status, at });
      if (!updated) throw new DomainError("not_found", INVALID);
      if (totp) {
        await tx.users.setTotp(user.id, totp.sealed);
        await tx.users.useTotpStep(user.id, totp.step);
      }
      await tx.sessions.deleteForUser(user.id);
      await tx.log.append(
        logEvent(this.clock, actorFor(updated), "user.activation_link.use", target(updated), {
          purpose: link.purpose,
          password: "set",
          ...(totp ? { factor: "totp" } : {}),
          ...(status !== user.status ? { before: { status: user.status }, after: { status } } : {}),
        }),
      );
      return updated;
    });
  }

  private async live(token: string): Promise<{ link: ActivationToken; user: User }> {
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) throw new DomainError("not_found", INVALID);
    const link = await this.store.activationTokens.get(sha256Hex(token));
    const user = link ? await this.store.users.get(link.userId) : null;
    if (!link || !user) throw new DomainError("not_found", INVALID);
    if (link.expiresAt <= this.clock.now().toISOString()) {
      await this.store.log.append(
        logEvent(
          this.clock,
          actorFor(user),
          "user.activation_link.expired",
          target(user),
          {
            purpose: link.purpose,
            expiresAt: link.expiresAt,
          },
          "FAILURE",
        ),
      );
      throw new DomainError("illegal_transition", "this link has expired: ask your administrator for a new one", {
        expiresAt: link.expiresAt,
      });
    }
    if (user.status !== "ACTIVE" && user.status !== "STAGED") throw new DomainError("not_found", INVALID);
    return { link, user };
  }

  private async needsTotp(user: User): Promise<boolean> {
    if (!this.opts.requireMfa) return false;
    return !(await this.store.users.credentials(user.id))?.totpSecretSealed;
  }
}

/** The person acting through their link: the System Log names them, not the admin who issued it. */
const actorFor = (u: User): Actor => ({ ...systemActor, type: "user", id: u.id, display: u.profile.login });
