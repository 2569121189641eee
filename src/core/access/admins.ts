import type { Store } from "../../store/contract.js";
import { type Actor, logEvent } from "../audit.js";
import type { User } from "../directory/model.js";
import type { UserService } from "../directory/users-service.js";
import { type Clock, systemClock } from "../ids.js";
import { ADMIN_ROLE } from "./sign-in.js";

/**
 * Administrators are directory users holding the super_admin role: one sign-in system, one lockout.
 * `ensureAdmin` creates the user when missing, or sets the password and grants the role when present.
 */
export async function ensureAdmin(
  store: Store,
  users: UserService,
  actor: Actor,
  input: { login: string; email?: string | undefined; password: string },
  clock: Clock = systemClock,
): Promise<{ user: User; created: boolean }> {
  const existing = await store.users.getByLogin(input.login);
  const user = existing
    ? await users.setPassword(actor, existing.id, input.password)
    : await users.create(actor, {
        profile: {
          login: input.login,
          email: input.email ?? (input.login.includes("@") ? input.login : `${input.login}@localhost.localdomain`),
          firstName: null,
          lastName: null,
          displayName: "Administrator",
        },
        status: "ACTIVE",
        password: input.password,
      });
  await store.transaction(async (tx) => {
    await tx.admins.grant(user.id, ADMIN_ROLE, clock.now().toISOString());
    await tx.log.append(
      logEvent(
        clock,
        actor,
        "user.account.privilege.grant",
        { type: "user", id: user.id, display: user.profile.login },
        {
          role: ADMIN_ROLE,
        },
      ),
    );
  });
  return { user, created: !existing };
}
