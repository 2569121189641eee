import { describe, expect, it } from "vitest";
import { LIFECYCLE, nextStatus } from "../../../src/core/directory/lifecycle.js";
import { USER_STATUSES } from "../../../src/core/directory/model.js";
import { DomainError } from "../../../src/core/errors.js";

describe("user lifecycle", () => {
  const allowed: Record<string, string> = {
    "STAGED activate": "ACTIVE",
    "DEPROVISIONED activate": "ACTIVE",
    "ACTIVE suspend": "SUSPENDED",
    "SUSPENDED unsuspend": "ACTIVE",
    "STAGED deactivate": "DEPROVISIONED",
    "ACTIVE deactivate": "DEPROVISIONED",
    "SUSPENDED deactivate": "DEPROVISIONED",
  };
  for (const status of USER_STATUSES) {
    for (const action of Object.keys(LIFECYCLE) as (keyof typeof LIFECYCLE)[]) {
      const key = `${status} ${action}`;
      it(`${key} -> ${allowed[key] ?? "refused"}`, () => {
        if (allowed[key]) expect(nextStatus(status, action)).toBe(allowed[key]);
        else expect(() => nextStatus(status, action)).toThrow(DomainError);
      });
    }
  }
});
