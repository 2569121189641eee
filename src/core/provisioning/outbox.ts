import type { Repos } from "../../store/contract.js";
import type { OutboxKind } from "../../store/contract-outbox.js";
import { newId } from "../ids.js";

export const PROVISIONING_APP_TYPES = ["aws-iam-identity-center", "generic-scim2"] as const;

/**
 * Records, in the caller's transaction, that something provisioning may care about changed: the change and
 * its provisioning work commit together or not at all. Without any provisioning app nothing is written.
 */
export async function enqueueChange(
  tx: Repos,
  change: { kind: OutboxKind; objectId: string; appId?: string },
  at: string,
): Promise<void> {
  if (!(await tx.apps.anyOfTypes(PROVISIONING_APP_TYPES))) return;
  await tx.outbox.enqueue({
    id: newId("evt"),
    kind: change.kind,
    objectId: change.objectId,
    appId: change.appId ?? null,
    at,
  });
}
