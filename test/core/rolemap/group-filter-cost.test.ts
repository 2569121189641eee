import { describe, expect, it } from "vitest";
import { validateAwsFederationSettings } from "../../../src/core/apps/aws-federation-settings.js";
import { DomainError } from "../../../src/core/errors.js";
import {
  compileGroupFilter,
  DEFAULT_GROUP_FILTER,
  MAX_GROUP_FILTER_PROGRAM_SIZE,
  OKTA_DEFAULT_GROUP_FILTER,
} from "../../../src/core/rolemap/index.js";

const COSTLY = [
  "(?{{role}}(?:.{0,100}){10})(?{{accountid}}\\d{12})",
  "(?{{role}}.{0,1000})(?{{accountid}}\\d{12})",
  "(?{{role}}[a-z]{0,64}){0,10}(?{{accountid}}\\d{12})",
];

describe("Group Filter cost", () => {
  it.each(COSTLY)("refuses %s, naming its size and the budget", (filter) => {
    const error = (() => {
      try {
        compileGroupFilter(filter);
      } catch (e) {
        return e as DomainError;
      }
    })();
    expect(error).toBeInstanceOf(DomainError);
    expect(error?.code).toBe("group_filter_too_costly");
    expect(error?.status).toBe(400);
    expect(error?.details.limit).toBe(MAX_GROUP_FILTER_PROGRAM_SIZE);
    expect(Number(error?.details.programSize)).toBeGreaterThan(MAX_GROUP_FILTER_PROGRAM_SIZE);
    expect(error?.message).toMatch(/too costly/);
  });

  it("accepts the default filters and ordinary ones well within the budget", () => {
    for (const f of [
      DEFAULT_GROUP_FILTER,
      OKTA_DEFAULT_GROUP_FILTER,
      "^aws_(?{{accountid}}\\d{12})_(?{{role}}[\\w+=.@-]{1,64})$",
    ]) {
      expect(() => compileGroupFilter(f)).not.toThrow();
    }
  });

  it("is refused when the settings are saved, on the groupFilter field", () => {
    expect(() => validateAwsFederationSettings({ useGroupMapping: true, groupFilter: COSTLY[0] })).toThrow(
      expect.objectContaining({
        code: "validation_failed",
        details: { errors: [expect.objectContaining({ path: "/settings/groupFilter" })] },
      }),
    );
  });
});
