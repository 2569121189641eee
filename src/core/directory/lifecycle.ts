import { DomainError } from "../errors.js";
import type { UserStatus } from "./model.js";

/**
 * The user lifecycle, Okta's verbs: STAGED -> ACTIVE -> SUSPENDED / DEPROVISIONED, and back where it
 * makes sense. Deleting is only possible once DEPROVISIONED, so nobody loses access by a slip.
 */
export const LIFECYCLE = {
  activate: { from: ["STAGED", "DEPROVISIONED"], to: "ACTIVE" },
  suspend: { from: ["ACTIVE"], to: "SUSPENDED" },
  unsuspend: { from: ["SUSPENDED"], to: "ACTIVE" },
  deactivate: { from: ["STAGED", "ACTIVE", "SUSPENDED"], to: "DEPROVISIONED" },
} as const satisfies Record<string, { from: readonly UserStatus[]; to: UserStatus }>;

export type LifecycleAction = keyof typeof LIFECYCLE;

export const isLifecycleAction = (s: string): s is LifecycleAction => Object.hasOwn(LIFECYCLE, s);

export function nextStatus(current: UserStatus, action: LifecycleAction): UserStatus {
  const rule = LIFECYCLE[action];
  if (!(rule.from as readonly UserStatus[]).includes(current)) {
    throw new DomainError("illegal_transition", `cannot ${action} a user who is ${current}`, {
      status: current,
      action,
      allowedFrom: rule.from,
    });
  }
  return rule.to;
}

/** Creating straight into a status: only the two starting points make sense. */
export function assertInitialStatus(status: UserStatus): void {
  if (status !== "STAGED" && status !== "ACTIVE") {
    throw new DomainError("illegal_transition", `a new user starts STAGED or ACTIVE, not ${status}`, { status });
  }
}

export function assertDeletable(status: UserStatus): void {
  if (status !== "DEPROVISIONED") {
    throw new DomainError("illegal_transition", `deactivate the user before deleting (status is ${status})`, {
      status,
    });
  }
}
