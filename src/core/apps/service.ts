import type { Page, PageRequest, Repos, Store } from "../../store/contract.js";
import { UniqueViolation } from "../../store/contract.js";
import { type Actor, appTarget, diff, logEvent } from "../audit.js";
import type { User } from "../directory/model.js";
import { DomainError, notFound, validationFailed } from "../errors.js";
import { type Clock, newId, systemClock } from "../ids.js";
import { enqueueChange } from "../provisioning/outbox.js";
import {
  assignmentProfileFor,
  placeGroupAssignment,
  principalIdOf,
  type RuleHeldMembership,
  ruleHeldMemberships,
} from "./assignments.js";
import { validateAwsFederationSettings } from "./aws-federation-settings.js";
import { type AppEntitlements, appEntitlements } from "./entitlements.js";
import type { App, AppAssignment, AppType, PrincipalType } from "./model.js";
import { validateScimAppSettings } from "./scim-app-settings.js";
import { assertSecureDestinations, secretsToForget } from "./secret-destinations.js";

const SLUG = /^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$/;
/** App types whose settings this version validates; the others arrive with their own issues. */
const SUPPORTED: readonly AppType[] = ["aws-account-federation", "aws-iam-identity-center", "generic-scim2"];
const PROVISIONING_TYPES: readonly AppType[] = ["aws-iam-identity-center", "generic-scim2"];

/**
 * Settings merge key by key; the legacy API block merges one level deeper, so changing its schedule
 * keeps the access key id that `apps aws credentials` recorded there.
 */
function mergeSettings(current: Record<string, unknown>, change: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...current, ...change };
  const [before, after] = [current.api, change.api];
  if (isObject(before) && isObject(after)) merged.api = { ...before, ...after };
  return merged;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function validateSettings(type: AppType, settings: Record<string, unknown>): Record<string, unknown> {
  if (type === "aws-account-federation") return validateAwsFederationSettings(settings);
  if (type === "aws-iam-identity-center" || type === "generic-scim2") return validateScimAppSettings(settings, type);
  throw validationFailed("unsupported app type", [{ path: "/type", message: `${type} is not available yet` }]);
}

export interface CreateAppInput {
  slug: string;
  type: AppType;
  label: string;
  settings?: Record<string, unknown> | undefined;
}

/** Applications and their assignments. Settings are validated in full before every write. */
export class AppService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock = systemClock,
    /** Production: URLs that carry secrets or assertions must be https (loopback excepted). */
    private readonly opts: { requireHttps?: boolean } = {},
  ) {}

  private validated(type: AppType, settings: Record<string, unknown>): Record<string, unknown> {
    const valid = validateSettings(type, settings);
    if (this.opts.requireHttps) assertSecureDestinations(valid);
    return valid;
  }

  /** `alsoInTransaction` lets the caller add what must exist with the app (its signing key) atomically. */
  async create(
    actor: Actor,
    input: CreateAppInput,
    alsoInTransaction?: (tx: Repos, app: App) => Promise<void>,
  ): Promise<App> {
    const errors = [];
    if (!SLUG.test(input.slug))
      errors.push({ path: "/slug", message: "must be 3-64 of a-z, 0-9 and -, not starting or ending with -" });
    if (!SUPPORTED.includes(input.type))
      errors.push({ path: "/type", message: `must be one of ${SUPPORTED.join(", ")}` });
    const label = input.label.trim();
    if (!label || label.length > 200) errors.push({ path: "/label", message: "must be 1-200 characters" });
    if (errors.length) throw validationFailed("the app is invalid", errors);
    const settings = this.validated(input.type, input.settings ?? {});
    const at = this.clock.now().toISOString();
    try {
      return await this.store.transaction(async (tx) => {
        const app = await tx.apps.insert({
          id: newId("app"),
          slug: input.slug,
          type: input.type,
          label,
          status: "ACTIVE",
          settings,
          // Okta's "Enable API integration": a new provisioning app sends nothing until the admin has set it up,
          // dry-run it and switched it on.
          provisioningEnabled: !PROVISIONING_TYPES.includes(input.type),
          at,
        });
        await tx.log.append(
          logEvent(this.clock, actor, "application.lifecycle.create", appTarget(app), {
            after: { type: app.type, label, settings },
          }),
        );
        await alsoInTransaction?.(tx, app);
        return app;
      });
    } catch (err) {
      if (err instanceof UniqueViolation)
        throw new DomainError("conflict", `an app with slug ${input.slug} already exists`, { field: "/slug" });
      throw err;
    }
  }

  async get(idOrSlug: string): Promise<App> {
    const app = (await this.store.apps.get(idOrSlug)) ?? (await this.store.apps.getBySlug(idOrSlug));
    if (!app) throw notFound("app", idOrSlug);
    return app;
  }

  list(page: PageRequest, type?: AppType): Promise<Page<App>> {
    return this.store.apps.list({ type }, page);
  }

  /** Merges the given settings over the current ones, then validates the whole. */
  async update(
    actor: Actor,
    idOrSlug: string,
    change: { label?: string | undefined; settings?: Record<string, unknown> | undefined },
    expectedVersion?: number,
  ): Promise<App> {
    const current = await this.get(idOrSlug);
    const settings =
      change.settings === undefined
        ? current.settings
        : this.validated(current.type, mergeSettings(current.settings, change.settings));
    const label = change.label === undefined ? current.label : change.label.trim();
    if (!label || label.length > 200)
      throw validationFailed("the app is invalid", [{ path: "/label", message: "must be 1-200 characters" }]);
    const forget = secretsToForget(current.settings, settings);
    return this.write(
      actor,
      current,
      expectedVersion,
      "application.lifecycle.update",
      { label, settings },
      diff({ label: current.label, settings: current.settings }, { label, settings }),
      forget,
    );
  }

  async setStatus(actor: Actor, idOrSlug: string, status: App["status"]): Promise<App> {
    const current = await this.get(idOrSlug);
    if (current.status === status) return current;
    const action = status === "ACTIVE" ? "application.lifecycle.activate" : "application.lifecycle.deactivate";
    return this.write(
      actor,
      current,
      undefined,
      action,
      { status },
      { before: { status: current.status }, after: { status } },
    );
  }

  /**
   * Switches provisioning on or off. Switching it on queues a full reconciliation of the app (the changes made
   * while it was off were not kept for it), in the transaction of the switch.
   */
  async setProvisioningEnabled(actor: Actor, idOrSlug: string, enabled: boolean): Promise<App> {
    const current = await this.get(idOrSlug);
    if (!PROVISIONING_TYPES.includes(current.type))
      throw new DomainError("conflict", `app ${current.slug} does not provision (it is ${current.type})`);
    if (current.provisioningEnabled === enabled) return current;
    const action = enabled ? "application.provisioning.enable" : "application.provisioning.disable";
    return this.write(
      actor,
      current,
      undefined,
      action,
      { provisioningEnabled: enabled },
      { before: { enabled: current.provisioningEnabled }, after: { enabled } },
    );
  }

  async delete(actor: Actor, idOrSlug: string): Promise<void> {
    const current = await this.get(idOrSlug);
    if (current.status === "ACTIVE") {
      throw new DomainError("illegal_transition", "deactivate the app before deleting it", { status: current.status });
    }
    await this.store.transaction(async (tx) => {
      await tx.apps.delete(current.id);
      await tx.log.append(logEvent(this.clock, actor, "application.lifecycle.delete", appTarget(current), {}));
    });
  }

  /**
   * Assigns a user or group (replacing an existing assignment's profile). A group assignment has a priority,
   * dense from 0 (highest) per app: `priority` moves it there and shifts the others down; a new group
   * assignment without one goes last, as in Okta.
   */
  async assign(
    actor: Actor,
    idOrSlug: string,
    principalType: PrincipalType,
    principalRef: string,
    profile: unknown,
    opts: { priority?: number | undefined } = {},
  ): Promise<AppAssignment> {
    const app = await this.get(idOrSlug);
    const principalId = await principalIdOf(this.store, principalType, principalRef);
    if (opts.priority !== undefined && principalType !== "group") {
      throw validationFailed("the assignment is invalid", [
        { path: "/priority", message: "only group assignments have a priority" },
      ]);
    }
    const valid = await assignmentProfileFor(this.store, app, profile);
    const at = this.clock.now().toISOString();
    return this.store.transaction(async (tx) => {
      const created = await tx.assignments.upsert({ appId: app.id, principalType, principalId, profile: valid, at });
      if (principalType === "group" && (created || opts.priority !== undefined)) {
        await placeGroupAssignment(tx, app.id, principalId, opts.priority);
      }
      const a = await tx.assignments.get(app.id, principalType, principalId);
      if (!a) throw new Error("assignment vanished inside its own transaction");
      await tx.log.append(
        logEvent(
          this.clock,
          actor,
          created ? "application.user_membership.add" : "application.user_membership.change",
          appTarget(app),
          { principalType, principalId, profile: valid, ...(a.priority === null ? {} : { priority: a.priority }) },
        ),
      );
      await enqueueChange(tx, { kind: "assignment", objectId: principalId, appId: app.id }, at);
      return a;
    });
  }

  async unassign(actor: Actor, idOrSlug: string, principalType: PrincipalType, principalRef: string): Promise<void> {
    const app = await this.get(idOrSlug);
    const principalId = await principalIdOf(this.store, principalType, principalRef);
    await this.store.transaction(async (tx) => {
      if (!(await tx.assignments.remove(app.id, principalType, principalId)))
        throw notFound("assignment", `${principalType} ${principalRef}`);
      if (principalType === "group") await placeGroupAssignment(tx, app.id, null, undefined);
      await tx.log.append(
        logEvent(this.clock, actor, "application.user_membership.remove", appTarget(app), {
          principalType,
          principalId,
        }),
      );
      await enqueueChange(
        tx,
        { kind: "assignment", objectId: principalId, appId: app.id },
        this.clock.now().toISOString(),
      );
    });
  }

  async assignments(idOrSlug: string): Promise<AppAssignment[]> {
    return this.store.assignments.listForApp((await this.get(idOrSlug)).id);
  }

  /**
   * Which roles this user gets on this app, and why — the same answer sign-in uses — and which of their
   * memberships a membership rule holds (a role group joined because they are in another group).
   */
  async explain(
    idOrSlug: string,
    user: User,
    /** Unsaved settings to try (merged and validated as `update` would): the console's live preview. */
    draftSettings?: Record<string, unknown>,
  ): Promise<AppEntitlements & { heldByRules: RuleHeldMembership[] }> {
    const saved = await this.get(idOrSlug);
    const app =
      draftSettings === undefined
        ? saved
        : { ...saved, settings: validateSettings(saved.type, mergeSettings(saved.settings, draftSettings)) };
    const result = await appEntitlements(this.store, app, user);
    const heldByRules = await ruleHeldMemberships(this.store, user.id);
    return { ...result, heldByRules };
  }

  private async write(
    actor: Actor,
    current: App,
    expectedVersion: number | undefined,
    action: string,
    change: {
      label?: string;
      status?: App["status"];
      settings?: Record<string, unknown>;
      provisioningEnabled?: boolean;
    },
    summary: Record<string, unknown>,
    /** Sealed secrets whose destination this change moves: forgotten in the same transaction. */
    forgetSecrets: string[] = [],
  ): Promise<App> {
    if (expectedVersion !== undefined && expectedVersion !== current.version) {
      throw new DomainError(
        "version_mismatch",
        `the app changed since version ${expectedVersion}; re-read it and retry`,
        { expected: expectedVersion, current: current.version },
      );
    }
    const at = this.clock.now().toISOString();
    return this.store.transaction(async (tx) => {
      const updated = await tx.apps.update(current.id, { ...change, at }, current.version);
      if (!updated)
        throw new DomainError("version_mismatch", "the app changed meanwhile; re-read it and retry", {
          id: current.id,
        });
      const cleared: string[] = [];
      for (const name of forgetSecrets) if (await tx.appSecrets.delete(current.id, name)) cleared.push(name);
      const logged = cleared.length ? { ...summary, secretsCleared: cleared } : summary;
      await tx.log.append(logEvent(this.clock, actor, action, appTarget(updated), logged));
      await enqueueChange(tx, { kind: "app", objectId: updated.id, appId: updated.id }, at);
      return updated;
    });
  }
}
