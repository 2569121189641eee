import type { LogEvent } from "./directory/model.js";
import { type Clock, newId } from "./ids.js";

/** Who is making a change; every admin change is recorded against one. */
export interface Actor {
  type: LogEvent["actor"]["type"];
  id: string | null;
  display: string;
  requestId?: string | null;
}

export const systemActor: Actor = { type: "system", id: null, display: "rolebridge" };
export const cliActor = (): Actor => ({ type: "cli", id: null, display: `cli:${process.env.USER ?? "unknown"}` });

/** An app as the target of a System Log event: one shape, so the log can be filtered by app. */
export const appTarget = (app: { id: string; slug: string }): { type: "app"; id: string; display: string } => ({
  type: "app",
  id: app.id,
  display: app.slug,
});

export function logEvent(
  clock: Clock,
  actor: Actor,
  action: string,
  target: LogEvent["target"],
  summary: Record<string, unknown>,
  outcome: LogEvent["outcome"] = "SUCCESS",
): LogEvent {
  return {
    id: newId("evt"),
    published: clock.now().toISOString(),
    actor: { type: actor.type, id: actor.id, display: actor.display },
    action,
    target,
    outcome,
    summary,
    requestId: actor.requestId ?? null,
  };
}

/** Before/after of the fields that changed, for the log. Secrets never pass through here. */
export function diff<T extends object>(before: T, after: T): { before: Partial<T>; after: Partial<T> } {
  const b: Partial<T> = {};
  const a: Partial<T> = {};
  for (const k of Object.keys(after) as (keyof T)[]) {
    if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) {
      b[k] = before[k];
      a[k] = after[k];
    }
  }
  return { before: b, after: a };
}
