import type { Plan, PlanOp } from "./plan.js";

/** One line per planned request, for `--dry-run` and logs. Ids are ours (externalId), as admins know them. */
export function formatPlan(plan: Plan): string[] {
  if (plan.ops.length === 0) return [`${plan.profile}: in sync, nothing to send`];
  return [`${plan.profile}: ${plan.ops.length} change${plan.ops.length === 1 ? "" : "s"}`, ...plan.ops.map(formatOp)];
}

const members = (n: number) => `${n} member${n === 1 ? "" : "s"}`;

export function formatOp(op: PlanOp): string {
  switch (op.kind) {
    case "rejectUser":
      return `! user ${op.externalId}: ${op.errors.map((e) => `${e.path} ${e.message}`).join("; ")}`;
    case "createUser":
      return `+ user ${op.externalId} (${op.user.userName})`;
    case "updateUser":
      return `~ user ${op.externalId}: ${op.changes.join(", ")}`;
    case "deactivateUser":
    case "reactivateUser": {
      const others = op.changes.filter((c) => c !== "active");
      const verb = op.kind === "deactivateUser" ? "deactivate" : "reactivate";
      return `~ user ${op.externalId}: ${verb}${others.length > 0 ? `, ${others.join(", ")}` : ""}`;
    }
    case "deleteUser":
      return `- user ${op.externalId} (delete, as asked)`;
    case "deleteGroup":
      return `- group ${op.externalId} (delete, as asked)`;
    case "createGroup":
      return `+ group ${op.externalId} (${op.displayName}) with ${members(op.members.length)}`;
    case "updateGroup":
      return `~ group ${op.externalId}: ${[op.displayName !== undefined ? `displayName "${op.displayName}"` : "", op.setExternalId ? "externalId" : ""].filter(Boolean).join(", ")}`;
    case "addMembers":
      return `~ group ${op.externalId}: add ${members(op.members.length)}`;
    case "removeMembers":
      return `~ group ${op.externalId}: remove ${members(op.members.length)}`;
  }
}
