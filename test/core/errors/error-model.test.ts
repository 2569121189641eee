import { describe, expect, it } from "vitest";
import { DomainError, ERROR_CODES, EXIT } from "../../../src/core/errors.js";
import { GroupFilterSyntaxError, InvalidArnError } from "../../../src/core/rolemap/errors.js";
import { SamlKeyError, SamlResponseTooLargeError } from "../../../src/core/saml/errors.js";
import { ScimError } from "../../../src/core/scim/errors.js";

describe("one error model", () => {
  it("declares every code once, with an HTTP status, a CLI exit code and a default message", () => {
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[a-z_]+$/);
      expect(spec.status).toBeGreaterThanOrEqual(400);
      expect(spec.status).toBeLessThan(600);
      expect(Object.values(EXIT)).toContain(spec.exit);
      expect(spec.message.length).toBeGreaterThan(0);
    }
  });

  it("tells usage, not found, conflict and remote failures apart by exit code", () => {
    const exits = ["validation_failed", "not_found", "conflict", "remote_failed"].map(
      (c) => new DomainError(c as keyof typeof ERROR_CODES, "x").exitCode,
    );
    expect(new Set(exits).size).toBe(4);
    expect(exits).not.toContain(EXIT.failure);
  });

  it("keeps the constructor (code, message, details) and falls back to the table's message", () => {
    const err = new DomainError("conflict", "taken", { id: 1 });
    expect(err.toJSON()).toEqual({ code: "conflict", message: "taken", details: { id: 1 } });
    expect(err.status).toBe(409);
    expect(new DomainError("not_found").message).toBe(ERROR_CODES.not_found.message);
  });

  it("makes the rolemap and SAML typed errors domain errors with declared codes", () => {
    const errors = [
      new GroupFilterSyntaxError("(", 0, "missing )"),
      new InvalidArnError("arn:x", "bad"),
      new SamlResponseTooLargeError(500, 200_000, 100_000),
      new SamlKeyError("no PEM"),
    ];
    for (const err of errors) {
      expect(err).toBeInstanceOf(DomainError);
      expect(Object.keys(ERROR_CODES)).toContain(err.code);
    }
    expect(errors.map((e) => e.status)).toEqual([400, 400, 422, 500]);
    expect(errors[0]!.details).toMatchObject({ position: 0 });
  });

  it("reports a SCIM target's refusal as a remote failure, with the target's status and words in details", () => {
    const body = { detail: "Unauthorized", status: "401", scimType: null, requestId: "r-1" };
    for (const status of [401, 403, 404, 409, 429, 500, null]) {
      const err = new ScimError(status === 401 || status === 403 ? "auth" : "permanent", status, body, "refused");
      expect(err.code).toBe("remote_failed");
      expect(err.status).toBe(502);
      expect(err.details).toMatchObject({ system: "scim", remoteStatus: status, remoteMessage: "Unauthorized" });
    }
  });
});
