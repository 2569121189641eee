// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Role Value Patterns use Okta's literal ${name} syntax.
import { describe, expect, it } from "vitest";
import {
  AppFilterError,
  appFilterAllows,
  compileRoleValuePattern,
  DEFAULT_ROLE_VALUE_PATTERN,
  OKTA_DEFAULT_ROLE_VALUE_PATTERN,
  parseAppFilter,
  parseRoleArn,
  parseRolePair,
  RoleValuePatternError,
  validateRoleValuePattern,
} from "../../../src/core/rolemap/index.js";

const context = {
  partition: "aws" as const,
  captureNames: ["role", "accountid", "alias"],
  providerNameConfigured: true,
};

function patternError(pattern: string, ctx = context): RoleValuePatternError {
  try {
    validateRoleValuePattern(pattern, ctx);
  } catch (error) {
    if (error instanceof RoleValuePatternError) return error;
    throw error;
  }
  throw new Error(`expected ${pattern} to be rejected`);
}

describe("Role Value Pattern", () => {
  it("validates Okta's default and ours, rendering a (provider, role) pair", () => {
    expect(validateRoleValuePattern(OKTA_DEFAULT_ROLE_VALUE_PATTERN, context).provider.providerName).toBe("OKTA");
    const pair = validateRoleValuePattern(DEFAULT_ROLE_VALUE_PATTERN, { ...context, partition: "aws-us-gov" });
    expect(pair.role.arn).toBe("arn:aws-us-gov:iam::123456789012:role/SampleRole");
    expect(pair.provider.arn).toBe("arn:aws-us-gov:iam::123456789012:saml-provider/SampleProvider");
  });

  it("accepts role-first order", () => {
    const pair = validateRoleValuePattern(
      "arn:aws:iam::${accountid}:role/${role},arn:aws:iam::${accountid}:saml-provider/${provider}",
      context,
    );
    expect(pair.role.roleName).toBe("SampleRole");
  });

  it("renders any named capture", () => {
    const compiled = compileRoleValuePattern("arn:aws:iam::${accountid}:role/${team}/${role}");
    expect(compiled.placeholders).toEqual(["accountid", "team", "role"]);
    expect(compiled.render({ accountid: "1", team: "t", role: "r" })).toEqual({ value: "arn:aws:iam::1:role/t/r" });
    expect(compiled.render({ accountid: "1", role: "r" })).toEqual({ missing: "team" });
  });

  it.each([
    ["arn:aws:iam::${accountid}:role/${role", 31, 'not closed by "}"'],
    ["arn:aws:iam::${accountid}:role/${ro-le}", 31, 'placeholder name "ro-le"'],
    ["arn:aws:iam::${accountid}:role/${team}", 31, "${team} is neither a Group Filter capture"],
  ])("rejects %s at position %i", (pattern, position, reason) => {
    const error = patternError(pattern);
    expect(error.code).toBe("role_value_pattern_invalid");
    expect(error.position).toBe(position);
    expect(error.reason).toContain(reason);
  });

  it.each([
    ["arn:aws:iam::${accountid}:role/${role}", 'must be "<provider ARN>,<role ARN>"'],
    ["arn:aws-cn:iam::${accountid}:saml-provider/X,arn:aws-cn:iam::${accountid}:role/${role}", "provider ARN"],
    [
      "arn:aws:iam::${accountid}:saml-provider/OKTA,arn:aws:iam::${accountid}:role/${role}${role}${role}${role}${role}${role}${role}",
      "at most 64",
    ],
    ["arn:aws:iam::${accountid}:saml-provider/O K,arn:aws:iam::${accountid}:role/${role}", 'must be "<provider ARN>'],
    [
      "arn:aws:iam::111111111111:saml-provider/OKTA,arn:aws:iam::${accountid}:role/${role}",
      "differs from provider account",
    ],
    ["arn:aws:iam::${accountid}:saml-provider/${provider},arn:aws:iam::12345:role/${role}", "12 digits"],
  ])("rejects %s because the sample rendering is not a valid pair", (pattern, reason) => {
    const error = patternError(pattern);
    expect(error.position).toBeNull();
    expect(error.reason).toContain(reason);
  });

  it("refuses ${provider} when no provider name is configured", () => {
    expect(patternError(DEFAULT_ROLE_VALUE_PATTERN, { ...context, providerNameConfigured: false }).reason).toContain(
      "no SAML provider name",
    );
  });
});

describe("ARNs", () => {
  it("parses roles with paths and enforces IAM limits", () => {
    const role = parseRoleArn("arn:aws:iam::123456789012:role/team/app/Deploy+=,.@-_", "aws");
    expect(role).toMatchObject({ ok: true, value: { path: "/team/app/", roleName: "Deploy+=,.@-_" } });
    expect(parseRoleArn(`arn:aws:iam::123456789012:role/${"x".repeat(65)}`, "aws").ok).toBe(false);
    expect(parseRoleArn(`arn:aws:iam::123456789012:role/${"p/".repeat(300)}X`, "aws").ok).toBe(false);
    expect(parseRoleArn("arn:aws:iam::123456789012:role/", "aws").ok).toBe(false);
    expect(parseRoleArn("arn:aws:iam::123456789012:user/X", "aws").ok).toBe(false);
    expect(parseRoleArn("arn:aws-cn:iam::123456789012:role/X", "aws")).toEqual({
      ok: false,
      reason: 'partition "aws-cn" differs from the app\'s partition "aws"',
    });
  });

  it("refuses a captured value that smuggles a second ARN through the role path", () => {
    const value =
      "arn:aws:iam::123456789012:saml-provider/P,arn:aws:iam::123456789012:role/x,arn:aws:iam::999999999999:saml-provider/E/R";
    const pair = parseRolePair(value, "aws");
    expect(pair.ok).toBe(false);
  });
});

describe("App Filter", () => {
  it("normalizes okta to local and csv names, refuses unknown sources", () => {
    const filter = parseAppFilter(" okta , active_directory,csv:hr-feed ");
    expect([...filter]).toEqual(["local", "active_directory", "csv:hr-feed"]);
    expect(appFilterAllows(filter, "local")).toBe(true);
    expect(appFilterAllows(filter, "OKTA")).toBe(true);
    expect(appFilterAllows(filter, "ldap")).toBe(false);
    expect(appFilterAllows(filter, "csv:other")).toBe(false);
    expect(() => parseAppFilter("okta,Bamboo HR!")).toThrow(AppFilterError);
    // Any source the directory accepts can be named, as Okta's filter names apps such as bamboohr.
    expect(appFilterAllows(parseAppFilter("okta,bamboohr"), "bamboohr")).toBe(true);
    expect(() => parseAppFilter("okta,,ldap")).toThrow(/empty entry/);
    expect(() => parseAppFilter("csv")).toThrow(/csv:<name>/);
    expect(parseAppFilter("").size).toBe(0);
  });
});
