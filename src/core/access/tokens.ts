import type { Store } from "../../store/contract.js";
import { type Actor, logEvent } from "../audit.js";
import { newSecret, sha256Hex, TOKEN_PREFIX } from "../crypto/tokens.js";
import type { ApiToken } from "../directory/model.js";
import { DomainError, notFound, validationFailed } from "../errors.js";
import { type Clock, newId, systemClock } from "../ids.js";

/** API tokens for the admin API: shown once at creation, stored as SHA-256, revocable. */
export class TokenService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock = systemClock,
  ) {}

  async create(
    actor: Actor,
    input: { name: string; expiresInDays?: number | undefined },
  ): Promise<{ token: ApiToken; secret: string }> {
    const name = input.name.trim();
    if (!name || name.length > 100) {
      throw validationFailed("the token name is invalid", [{ path: "/name", message: "must be 1-100 characters" }]);
    }
    if (input.expiresInDays !== undefined && !(Number.isInteger(input.expiresInDays) && input.expiresInDays > 0)) {
      throw validationFailed("the expiry is invalid", [
        { path: "/expiresInDays", message: "must be a positive whole number" },
      ]);
    }
    const secret = newSecret(TOKEN_PREFIX);
    const now = this.clock.now();
    const expiresAt =
      input.expiresInDays === undefined
        ? null
        : new Date(now.getTime() + input.expiresInDays * 86_400_000).toISOString();
    const token = await this.store.transaction(async (tx) => {
      const t = await tx.tokens.insert({
        id: newId("tok"),
        name,
        prefix: secret.slice(0, TOKEN_PREFIX.length + 6),
        tokenHash: sha256Hex(secret),
        createdBy: actor.id ?? actor.display,
        at: now.toISOString(),
        expiresAt,
      });
      await tx.log.append(
        logEvent(
          this.clock,
          actor,
          "system.api_token.create",
          { type: "api_token", id: t.id, display: name },
          {
            expiresAt,
          },
        ),
      );
      return t;
    });
    return { token, secret };
  }

  list(): Promise<ApiToken[]> {
    return this.store.tokens.list();
  }

  async revoke(actor: Actor, id: string): Promise<ApiToken> {
    const token = await this.store.tokens.get(id);
    if (!token) throw notFound("api token", id);
    if (token.revokedAt) throw new DomainError("conflict", `token ${id} is already revoked`, { id });
    const at = this.clock.now().toISOString();
    await this.store.transaction(async (tx) => {
      await tx.tokens.revoke(id, at);
      await tx.log.append(
        logEvent(this.clock, actor, "system.api_token.revoke", { type: "api_token", id, display: token.name }, {}),
      );
    });
    return { ...token, revokedAt: at };
  }

  /** Resolves a presented bearer secret to its token, or null. Touches last-used at most once a minute. */
  async authenticate(secret: string): Promise<ApiToken | null> {
    if (!secret.startsWith(TOKEN_PREFIX) || secret.length > 200) return null;
    const now = this.clock.now();
    const token = await this.store.tokens.findActiveByHash(sha256Hex(secret), now.toISOString());
    if (token && (!token.lastUsed || now.getTime() - Date.parse(token.lastUsed) > 60_000)) {
      await this.store.tokens.touch(token.id, now.toISOString());
    }
    return token;
  }
}
