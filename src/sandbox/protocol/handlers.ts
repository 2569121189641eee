import type { AuthorizationTarget } from "../auth/authorize.js";
import type { Caller } from "../auth/callers.js";
import type { SandboxStore } from "../state/store.js";

/** What every operation handler receives, whatever the wire protocol. */
export interface OperationContext<Input> {
  input: Input;
  /** Undefined only for the operations AWS serves unsigned (AssumeRoleWithSAML). */
  caller: Caller | undefined;
  store: SandboxStore;
  now: Date;
  /** Authorizes the caller for an action; throws AccessDenied in AWS's shape. */
  authorize(target: Omit<AuthorizationTarget, "resourceAccountId"> & { resourceAccountId?: string }): Promise<void>;
  /** The endpoint's own base URL, for pages and responses that link back to the sandbox. */
  baseUrl: string;
}

export type QueryInput = Map<string, string>;
export type QueryHandler = (ctx: OperationContext<QueryInput>) => Promise<Record<string, unknown> | null>;
export type JsonHandler = (ctx: OperationContext<Record<string, unknown>>) => Promise<Record<string, unknown>>;

/** The caller every signed operation has; narrows the optional field for handlers that require a signature. */
export function requireCaller(ctx: OperationContext<unknown>): Caller {
  if (!ctx.caller) throw new Error("signed operation reached without a caller");
  return ctx.caller;
}
