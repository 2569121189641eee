import { DomainError } from "../errors.js";
import { ScimError } from "./errors.js";
import type { PlanOpKind } from "./plan.js";

export interface ResultError {
  code: string;
  message: string;
  httpStatus: number | null;
  /** True when a later run may succeed unchanged (throttling, outage); false when data or config must change. */
  retryable: boolean;
  details?: Record<string, unknown>;
}

/** One per plan operation: what the storage side records as the object's provisioning status. */
export interface ObjectResult {
  kind: PlanOpKind;
  externalId: string;
  remoteId?: string;
  status: "ok" | "error";
  /** The object already existed on the target and was taken over instead of created. */
  adopted?: boolean;
  error?: ResultError;
}

/** An add to a group whose create failed: the group is not on the target. */
export function createFailed(group: string): DomainError {
  return new DomainError("not_found", `group ${group} is not on the target (its create failed)`);
}

/** Members whose user failed or was never provisioned cannot be added. */
export function unprovisionedMembers(externalIds: string[]): DomainError {
  return new DomainError(
    "not_found",
    `members not on the target (their user failed or is not provisioned): ${externalIds.join(", ")}`,
    {
      memberExternalIds: externalIds,
    },
  );
}

export const describe = (errors: { path: string; message: string }[]) =>
  errors.map((e) => `${e.path} ${e.message}`).join("; ");

export function toResultError(error: unknown): ResultError {
  if (error instanceof ScimError) {
    return {
      code: error.code,
      message: error.attempts > 1 ? `${error.message} (after ${error.attempts} attempts)` : error.message,
      httpStatus: error.httpStatus,
      retryable: error.errorClass === "retryable",
      details: error.details,
    };
  }
  if (error instanceof DomainError) {
    // Our own refusals are final, except those that say otherwise (a node stopping mid-sync: another node will).
    const retryable = error.details.retryable === true;
    return { code: error.code, message: error.message, httpStatus: null, retryable, details: error.details };
  }
  return {
    code: "internal",
    message: error instanceof Error ? error.message : String(error),
    httpStatus: null,
    retryable: false,
  };
}

/** What every request after a refused token gets: the token will be refused for them too. */
export function notAttempted(refused: ResultError): DomainError {
  return new DomainError("remote_failed", `not attempted: ${refused.message}`, refused.details ?? {});
}
