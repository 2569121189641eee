import { describe, expect, it } from "vitest";
import {
  compileGroupFilter,
  DEFAULT_GROUP_FILTER,
  GroupFilterMissingCaptureError,
  GroupFilterSyntaxError,
  OKTA_DEFAULT_GROUP_FILTER,
  validateGroupFilter,
} from "../../../src/core/rolemap/index.js";

function syntaxError(source: string): GroupFilterSyntaxError {
  const error = validateGroupFilter(source);
  if (!(error instanceof GroupFilterSyntaxError)) throw new Error(`expected a syntax error for ${source}`);
  return error;
}

describe("Group Filter compiler", () => {
  it("accepts Okta's default filter verbatim, including its \\# escapes", () => {
    expect(OKTA_DEFAULT_GROUP_FILTER).toBe("^aws\\#\\S+\\#(?{{role}}[\\w\\-]+)\\#(?{{accountid}}\\d+)$");
    const filter = compileGroupFilter(OKTA_DEFAULT_GROUP_FILTER);
    expect(filter.captureNames).toEqual(["role", "accountid"]);
    expect(filter.match("aws#prod#Admin#123456789012")?.captures).toEqual({ role: "Admin", accountid: "123456789012" });
    expect(filter.match("aws#prod#Read-Only#123456789012")?.captures.role).toBe("Read-Only");
  });

  it("reproduces Okta's known gap: role names with . @ + = , do not match its default", () => {
    const filter = compileGroupFilter(OKTA_DEFAULT_GROUP_FILTER);
    for (const role of ["data.eng", "ops@x", "a+b", "k=v", "a,b"]) {
      expect(filter.match(`aws#prod#${role}#123456789012`)).toBeNull();
    }
  });

  it("our default accepts every IAM role name a Role value can carry (no comma) and captures the alias", () => {
    const filter = compileGroupFilter(DEFAULT_GROUP_FILTER);
    const role = "Aa0_+=.@-".padEnd(64, "x");
    expect(filter.match(`aws#my-prod#${role}#123456789012`)?.captures).toEqual({
      alias: "my-prod",
      role,
      accountid: "123456789012",
    });
    expect(filter.match(`aws#my-prod#${role}x#123456789012`)).toBeNull(); // 65 chars
    expect(filter.match("aws#my-prod#Admin#12345678901")).toBeNull(); // 11 digits
    // A role under an IAM path carries the path, which the role ARN needs.
    expect(filter.match("aws#my-prod#support/Tier1_Support#123456789012")?.captures.role).toBe("support/Tier1_Support");
    expect(filter.match("aws#my-prod#/Admin#123456789012")).toBeNull();
    expect(filter.match("aws#my-prod#Admin/#123456789012")).toBeNull();
  });

  it("accepts Okta's alternative filter and matches the whole name only", () => {
    const filter = compileGroupFilter("aws_(?{{accountid}}\\d+)_(?{{role}}[a-zA-Z0-9+=,.@\\-_]+)");
    expect(filter.match("aws_123456789012_Admin.x")?.captures).toEqual({ accountid: "123456789012", role: "Admin.x" });
    // A substring match would let a look-alike name grant a role.
    expect(filter.match("evil-aws_123456789012_Admin")).toBeNull();
  });

  it("accepts other named captures, Java-style named groups and \\Q..\\E quoting", () => {
    const filter = compileGroupFilter("\\Q(aws)\\E:(?{{team}}\\w+):(?<role>\\w+):(?{{accountid}}\\d{12})");
    expect(filter.captureNames).toEqual(["team", "role", "accountid"]);
    expect(filter.match("(aws):core:Dev:123456789012")?.captures).toEqual({
      team: "core",
      role: "Dev",
      accountid: "123456789012",
    });
  });

  it("does not translate (?{{ inside a character class", () => {
    const filter = compileGroupFilter("(?{{role}}[(?{}]+)#(?{{accountid}}\\d+)");
    expect(filter.match("({?#1")?.captures).toEqual({ role: "({?", accountid: "1" });
  });

  it("requires both role and accountid captures", () => {
    const error = validateGroupFilter("^aws#(?{{role}}\\w+)#\\d+$");
    expect(error).toBeInstanceOf(GroupFilterMissingCaptureError);
    expect(error?.code).toBe("group_filter_missing_capture");
    expect((error as GroupFilterMissingCaptureError).missing).toEqual(["accountid"]);
    expect(error?.message).toContain("(?{{accountid}}...)");
  });

  it.each([
    ["(?{{role}}\\w+)#(?{{accountid}}\\d+", 15, '"(" is not closed'],
    ["(?{{role}}\\w+))#(?{{accountid}}\\d+)", 14, 'unexpected ")"'],
    ["(?{{role\\w+)#(?{{accountid}}\\d+)", 0, "followed by a name"],
    ["(?{{1role}}\\w+)#(?{{accountid}}\\d+)", 4, 'capture name "1role" must not'],
    ["(?{{role}}\\w+)#(?{{role}}\\d+)", 15, 'capture name "role" is used twice'],
    ["(?{{role}}\\w+)(?=#)#(?{{accountid}}\\d+)", 14, "lookahead is not supported"],
    ["(?<=x)(?{{role}}\\w+)#(?{{accountid}}\\d+)", 0, "lookbehind is not supported"],
    ["(?{{role}}\\w+)#\\1(?{{accountid}}\\d+)", 15, "backreferences are not supported"],
    ["(?{{role}}\\w++)#(?{{accountid}}\\d+)", 13, "possessive quantifiers"],
    ["(?{{role}}[a-z)#(?{{accountid}}\\d+)", 10, 'character class "[" is not closed'],
    ["(?{{role}}\\w+)#(?{{accountid}}\\d{3,1})", 32, "invalid repeat count"],
    ["(?{{role}}\\w**)#(?{{accountid}}\\d+)", 12, "invalid nested repetition operator"],
  ])("rejects %s at position %i (%s)", (source, position, reason) => {
    const error = syntaxError(source);
    expect(error.code).toBe("group_filter_syntax");
    expect(error.reason).toContain(reason);
    expect(error.position).toBe(position);
    expect(error.message).toContain(`position ${position}`);
    expect(error.details).toMatchObject({ source, position });
  });

  it.each([
    [OKTA_DEFAULT_GROUP_FILTER, "aws#"],
    [DEFAULT_GROUP_FILTER, "aws#"],
    ["aws_(?{{accountid}}\\d+)_(?{{role}}\\w+)", "aws_"],
    ["^aws?#(?{{role}}\\w+)#(?{{accountid}}\\d+)", "aw"],
    ["^aws{1,2}#(?{{role}}\\w+)#(?{{accountid}}\\d+)", "aw"],
    ["^aws#(?{{role}}\\w+)#(?{{accountid}}\\d+)|^gcp#x", ""],
    ["(?i)aws#(?{{role}}\\w+)#(?{{accountid}}\\d+)", ""],
    ["\\Qaws#\\E(?{{role}}\\w+)#(?{{accountid}}\\d+)", ""],
    ["[a]ws#(?{{role}}\\w+)#(?{{accountid}}\\d+)", ""],
  ])("pre-screens %s with the literal prefix %j", (source, prefix) => {
    expect(compileGroupFilter(source).literalPrefix).toBe(prefix);
  });

  it("the prefix pre-screen never changes the answer", () => {
    const filter = compileGroupFilter("^aws?#(?{{role}}\\w+)#(?{{accountid}}\\d+)$");
    expect(filter.match("aw#Admin#1")?.captures).toEqual({ role: "Admin", accountid: "1" });
    expect(filter.match("aws#Admin#1")?.captures.role).toBe("Admin");
    expect(filter.match("ax#Admin#1")).toBeNull();
    const alternation = compileGroupFilter("^aws#(?{{role}}\\w+)#(?{{accountid}}\\d+)|^gcp#(?{{role2}}x)");
    expect(alternation.match("gcp#x")?.captures).toEqual({ role2: "x" });
  });

  it("caches compiled filters by source string", () => {
    expect(compileGroupFilter(DEFAULT_GROUP_FILTER)).toBe(compileGroupFilter(DEFAULT_GROUP_FILTER));
  });

  it("runs a catastrophic-backtracking pattern on a 100k-char name to completion (linear engine)", () => {
    const filter = compileGroupFilter("^(?{{role}}(a+)+)$(?{{accountid}})");
    const hostile = `${"a".repeat(100_000)}!`;
    expect(filter.match(hostile)).toBeNull();
    const benign = "a".repeat(100_000);
    expect(filter.match(benign)?.captures.role).toHaveLength(100_000);
  });

  it("runs Okta's default on a 100k-char name full of separators (quadratic for backtracking engines)", () => {
    const filter = compileGroupFilter(OKTA_DEFAULT_GROUP_FILTER);
    expect(filter.match(`aws#${"#a".repeat(50_000)}x`)).toBeNull();
    expect(filter.match(`aws#${"#a".repeat(50_000)}#Admin#1`)?.captures).toEqual({ role: "Admin", accountid: "1" });
  });
});
