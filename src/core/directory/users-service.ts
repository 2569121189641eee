import type { Page, PageRequest, Store, UserFilter } from "../../store/contract.js";
import { UniqueViolation } from "../../store/contract.js";
import { type Actor, diff, logEvent } from "../audit.js";
import { hashPassword } from "../crypto/passwords.js";
import { DomainError, notFound } from "../errors.js";
import { type Clock, newId, systemClock } from "../ids.js";
import { enqueueChange } from "../provisioning/outbox.js";
import { assertDeletable, assertInitialStatus, type LifecycleAction, nextStatus } from "./lifecycle.js";
import type { Group, User, UserProfile, UserStatus } from "./model.js";
import { assertPassword, assertProfile } from "./validate.js";

export interface CreateUserInput {
  profile: UserProfile;
  status?: UserStatus;
  password?: string | undefined;
}

const userTarget = (u: User) => ({ type: "user", id: u.id, display: u.profile.login });

export function loginTaken(login: string) {
  return new DomainError("conflict", `a user with login ${JSON.stringify(login)} already exists`, {
    field: "/profile/login",
    login,
  });
}

/** Users: every write validates, runs in one transaction and lands in the system log with it. */
export class UserService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock = systemClock,
  ) {}

  async create(actor: Actor, input: CreateUserInput): Promise<User> {
    assertProfile(input.profile);
    const status = input.status ?? "ACTIVE";
    assertInitialStatus(status);
    if (input.password !== undefined) assertPassword(input.password);
    const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
    const at = this.clock.now().toISOString();
    try {
      return await this.store.transaction(async (tx) => {
        const user = await tx.users.insert({ id: newId("usr"), profile: input.profile, status, passwordHash, at });
        await tx.log.append(
          logEvent(this.clock, actor, "user.lifecycle.create", userTarget(user), {
            after: { profile: user.profile, status },
            password: passwordHash ? "set" : "none",
          }),
        );
        await enqueueChange(tx, { kind: "user", objectId: user.id }, at);
        return user;
      });
    } catch (err) {
      if (err instanceof UniqueViolation) throw loginTaken(input.profile.login);
      throw err;
    }
  }

  /** By id, or by login as Okta allows (`/users/{login}`). */
  async get(idOrLogin: string): Promise<User> {
    const user = (await this.store.users.get(idOrLogin)) ?? (await this.store.users.getByLogin(idOrLogin));
    if (!user) throw notFound("user", idOrLogin);
    return user;
  }

  list(filter: UserFilter, page: PageRequest): Promise<Page<User>> {
    return this.store.users.list(filter, page);
  }

  async groups(idOrLogin: string): Promise<Group[]> {
    const user = await this.get(idOrLogin);
    return this.store.memberships.groupsOfUser(user.id);
  }

  async updateProfile(actor: Actor, idOrLogin: string, patch: Partial<UserProfile>, expectedVersion?: number) {
    const current = await this.get(idOrLogin);
    const profile: UserProfile = { ...current.profile, ...patch };
    assertProfile(profile);
    try {
      return await this.write(actor, current, expectedVersion, "user.account.update_profile", async (tx, at) => {
        const updated = await tx.users.update(current.id, { profile, at }, expectedVersion ?? current.version);
        return { updated, summary: diff(current.profile, profile) };
      });
    } catch (err) {
      if (err instanceof UniqueViolation) throw loginTaken(profile.login);
      throw err;
    }
  }

  async transition(actor: Actor, idOrLogin: string, action: LifecycleAction, expectedVersion?: number) {
    const current = await this.get(idOrLogin);
    const status = nextStatus(current.status, action);
    return this.write(actor, current, expectedVersion, `user.lifecycle.${action}`, async (tx, at) => {
      const updated = await tx.users.update(current.id, { status, at }, expectedVersion ?? current.version);
      // Suspended or deprovisioned people lose their sessions at once.
      if (status !== "ACTIVE") await tx.sessions.deleteForUser(current.id);
      return { updated, summary: { before: { status: current.status }, after: { status } } };
    });
  }

  async setPassword(actor: Actor, idOrLogin: string, password: string) {
    assertPassword(password);
    const current = await this.get(idOrLogin);
    const passwordHash = await hashPassword(password);
    return this.write(actor, current, undefined, "user.account.reset_password", async (tx, at) => {
      const updated = await tx.users.update(current.id, { passwordHash, at }, current.version);
      await tx.sessions.deleteForUser(current.id);
      return { updated, summary: { password: "changed" } };
    });
  }

  async delete(actor: Actor, idOrLogin: string): Promise<void> {
    const current = await this.get(idOrLogin);
    assertDeletable(current.status);
    await this.store.transaction(async (tx) => {
      if (!(await tx.users.delete(current.id))) throw notFound("user", current.id);
      await enqueueChange(tx, { kind: "user", objectId: current.id }, this.clock.now().toISOString());
      await tx.log.append(
        logEvent(this.clock, actor, "user.lifecycle.delete", userTarget(current), {
          before: { profile: current.profile },
        }),
      );
    });
  }

  private async write(
    actor: Actor,
    current: User,
    expectedVersion: number | undefined,
    action: string,
    work: (
      tx: Parameters<Parameters<Store["transaction"]>[0]>[0],
      at: string,
    ) => Promise<{ updated: User | null; summary: Record<string, unknown> }>,
  ): Promise<User> {
    if (expectedVersion !== undefined && expectedVersion !== current.version)
      throw versionMismatch(current, expectedVersion);
    const at = this.clock.now().toISOString();
    return this.store.transaction(async (tx) => {
      const { updated, summary } = await work(tx, at);
      if (!updated) throw versionMismatch(current, expectedVersion ?? current.version);
      await tx.log.append(logEvent(this.clock, actor, action, userTarget(updated), summary));
      await enqueueChange(tx, { kind: "user", objectId: updated.id }, at);
      return updated;
    });
  }
}

export function versionMismatch(current: { id: string; version: number }, expected: number) {
  return new DomainError("version_mismatch", `the object changed since version ${expected}; re-read it and retry`, {
    id: current.id,
    expected,
    current: current.version,
  });
}
