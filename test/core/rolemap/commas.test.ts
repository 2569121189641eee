import { describe, expect, it } from "vitest";
import {
  compileGroupFilter,
  DEFAULT_GROUP_FILTER,
  lintGroupFilter,
  parseRolePair,
} from "../../../src/core/rolemap/index.js";

const COMMA_GROUP = "aws#acme#Admin,x#111122223333";

describe("role values with commas", () => {
  it("the default Group Filter's role capture stops at commas", () => {
    expect(compileGroupFilter(DEFAULT_GROUP_FILTER).match(COMMA_GROUP)).toBeNull();
    expect(compileGroupFilter(DEFAULT_GROUP_FILTER).match("aws#acme#Admin.x@y+z=1#111122223333")).not.toBeNull();
  });

  it("refuses a Role value whose role ARN holds a comma, in either order", () => {
    const provider = "arn:aws:iam::111122223333:saml-provider/P";
    const role = "arn:aws:iam::111122223333:role/Admin,x";
    for (const value of [`${provider},${role}`, `${role},${provider}`]) {
      const pair = parseRolePair(value, "aws");
      expect(pair.ok).toBe(false);
      expect(!pair.ok && pair.reason).toMatch(/","/);
    }
  });

  it("apps lint names the groups a comma keeps out, and why", () => {
    const result = lintGroupFilter(DEFAULT_GROUP_FILTER, [COMMA_GROUP, "aws#acme#Admin#111122223333"]);
    expect(result).toMatchObject({ checked: 2, matched: 1 });
    expect(result.missed).toEqual([{ groupName: COMMA_GROUP, hint: expect.stringMatching(/","/) }]);
  });
});
