/**
 * One error type for every emulated service. Handlers throw it; the protocol layer renders it as Query XML or
 * JSON 1.1, so a handler never needs to know which wire format its caller speaks.
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly type: "Sender" | "Receiver" = "Sender",
    /** Extra members of a JSON 1.1 error body, e.g. Organizations' Reason. */
    readonly details: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const validationError = (message: string) => new AwsError("ValidationError", message, 400);

export const noSuchEntity = (message: string) => new AwsError("NoSuchEntity", message, 404);

export const accessDenied = (message: string) => new AwsError("AccessDenied", message, 403);

export const missingParameter = (name: string) =>
  new AwsError("MissingParameter", `The request must contain the parameter ${name}`, 400);

/** AWS's Smithy-style constraint message, e.g. "1 validation error detected: Value at 'roleName' ...". */
export function constraintError(member: string, constraint: string, value?: string | null): AwsError {
  const shown = value === undefined ? "" : value === null ? " null" : ` '${value}'`;
  const field = member.charAt(0).toLowerCase() + member.slice(1);
  return validationError(
    `1 validation error detected: Value${shown} at '${field}' failed to satisfy constraint: ${constraint}`,
  );
}
