/**
 * OAuth 2.0 error responses (RFC 6749 §5.2, RFC 8628 §3.5): a stable `error` code, a human description,
 * and the HTTP status the token endpoint answers with. The shell renders them as
 * `{"error": ..., "error_description": ...}`, the shape every OAuth client library parses.
 */
export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unsupported_grant_type"
  | "invalid_scope"
  | "authorization_pending"
  | "slow_down"
  | "access_denied"
  | "expired_token";

const STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  // RFC 6749 §5.2: 401 when the client tried to authenticate; a public client's unknown id is still a 401.
  invalid_client: 401,
  invalid_grant: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  authorization_pending: 400,
  slow_down: 400,
  access_denied: 400,
  expired_token: 400,
};

export class OAuthError extends Error {
  readonly status: number;
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
  ) {
    super(description);
    this.name = "OAuthError";
    this.status = STATUS[error];
  }

  toJSON() {
    return { error: this.error, error_description: this.description };
  }
}
