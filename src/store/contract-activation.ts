/** Storage contract of activation and reset links: only the SHA-256 of each link's token is kept. */

export type ActivationPurpose = "activation" | "reset";

export interface ActivationToken {
  tokenHash: string;
  userId: string;
  purpose: ActivationPurpose;
  created: string;
  expiresAt: string;
  /** Who issued it (the System Log actor's id). */
  createdBy: string;
}

export interface ActivationTokenRepo {
  insert(token: ActivationToken): Promise<void>;
  get(tokenHash: string): Promise<ActivationToken | null>;
  /** Revokes every link of the person (a new one replaces the old); returns how many there were. */
  deleteForUser(userId: string): Promise<number>;
  /** Consumes one link: true only for the one caller that removed it, so a link is used at most once. */
  delete(tokenHash: string): Promise<boolean>;
}
