import { Secret, TOTP } from "otpauth";
import type { Store } from "../../store/contract.js";
import { type Actor, logEvent } from "../audit.js";
import type { SecretBox } from "../crypto/secretbox.js";
import type { UserService } from "../directory/users-service.js";
import { type Clock, systemClock } from "../ids.js";

const PERIOD = 30;
const context = (userId: string) => `user:${userId}:totp`;

function totpFor(secretBase32: string, label: string) {
  return new TOTP({
    issuer: "rolebridge",
    label,
    algorithm: "SHA1",
    digits: 6,
    period: PERIOD,
    secret: Secret.fromBase32(secretBase32),
  });
}

/**
 * Optional TOTP second factor (RFC 6238, what authenticator apps speak). The secret is sealed at rest;
 * a code is accepted one step either side of now, and each time step only once (no replay).
 */
export class TotpService {
  constructor(
    private readonly store: Store,
    private readonly secrets: SecretBox,
    private readonly users: UserService,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Returns the secret once, as base32 and as an otpauth:// URI for a QR code. */
  async enroll(actor: Actor, userRef: string): Promise<{ secret: string; uri: string }> {
    const user = await this.users.get(userRef);
    const secret = new Secret({ size: 20 }).base32;
    await this.store.transaction(async (tx) => {
      await tx.users.setTotp(user.id, this.secrets.seal(secret, context(user.id)));
      await tx.log.append(
        logEvent(
          this.clock,
          actor,
          "user.mfa.factor.activate",
          { type: "user", id: user.id, display: user.profile.login },
          { factor: "totp" },
        ),
      );
    });
    return { secret, uri: totpFor(secret, user.profile.login).toString() };
  }

  async remove(actor: Actor, userRef: string): Promise<void> {
    const user = await this.users.get(userRef);
    await this.store.transaction(async (tx) => {
      await tx.users.setTotp(user.id, null);
      await tx.log.append(
        logEvent(
          this.clock,
          actor,
          "user.mfa.factor.deactivate",
          { type: "user", id: user.id, display: user.profile.login },
          { factor: "totp" },
        ),
      );
    });
  }
}

/** Checks a code against a sealed secret and burns its time step. */
export async function verifyTotp(
  store: Store,
  secrets: SecretBox,
  userId: string,
  sealed: string,
  code: string,
  now: Date,
): Promise<boolean> {
  if (!/^\d{6}$/.test(code)) return false;
  const totp = totpFor(secrets.open(sealed, context(userId)), userId);
  const delta = totp.validate({ token: code, timestamp: now.getTime(), window: 1 });
  if (delta === null) return false;
  const step = Math.floor(now.getTime() / 1000 / PERIOD) + delta;
  return store.users.useTotpStep(userId, step);
}

/** For tests and the CLI: the code an authenticator would show now. */
export function currentTotpCode(secretBase32: string, now: Date): string {
  return totpFor(secretBase32, "x").generate({ timestamp: now.getTime() });
}

/** A new authenticator secret for `label` (the login): base32 and the otpauth:// URI for a QR code. */
export function newTotpSecret(label: string): { secret: string; uri: string } {
  const secret = new Secret({ size: 20 }).base32;
  return { secret, uri: totpFor(secret, label).toString() };
}

export const totpUri = (secretBase32: string, label: string) => totpFor(secretBase32, label).toString();

/** The time step a code proves for a secret not stored yet (enrolment), or null when the code is wrong. */
export function totpStepOf(secretBase32: string, code: string, now: Date): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpFor(secretBase32, "x").validate({ token: code, timestamp: now.getTime(), window: 1 });
  return delta === null ? null : Math.floor(now.getTime() / 1000 / PERIOD) + delta;
}

/** The context a secret is sealed under at rest: enrolment code stores it with the same one. */
export const totpSealContext = context;
