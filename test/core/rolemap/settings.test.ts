import { describe, expect, it } from "vitest";
import {
  type AwsSignOnSettings,
  DEFAULT_GROUP_FILTER,
  DEFAULT_ROLE_VALUE_PATTERN,
  validateSignOnSettings,
} from "../../../src/core/rolemap/index.js";

const valid: AwsSignOnSettings = {
  partition: "aws",
  identityProviderArn: "arn:aws:iam::111111111111:saml-provider/rolebridge",
  samlProviderNames: { "222222222222": "corp-idp" },
  useGroupMapping: true,
  appFilter: "okta",
  groupFilter: DEFAULT_GROUP_FILTER,
  roleValuePattern: DEFAULT_ROLE_VALUE_PATTERN,
  joinAllRoles: false,
};

describe("validateSignOnSettings", () => {
  it("accepts a valid configuration", () => {
    expect(validateSignOnSettings(valid)).toEqual([]);
  });

  it("reports every invalid field at once with its code", () => {
    const errors = validateSignOnSettings({
      ...valid,
      identityProviderArn: "arn:aws-cn:iam::111111111111:saml-provider/x",
      samlProviderNames: { "123": "bad name" },
      appFilter: "",
      groupFilter: "(?{{role}}x)",
    });
    expect(errors.map((e) => [e.code, e.details.field ?? null])).toEqual([
      ["sign_on_settings_invalid", "identityProviderArn"],
      ["sign_on_settings_invalid", "samlProviderNames.123"],
      ["sign_on_settings_invalid", "samlProviderNames.123"],
      ["sign_on_settings_invalid", "appFilter"],
      ["group_filter_missing_capture", null],
    ]);
  });

  it("checks the Role Value Pattern against the filter's captures and configured providers", () => {
    const errors = validateSignOnSettings({
      ...valid,
      identityProviderArn: null,
      samlProviderNames: {},
    });
    expect(errors.map((e) => e.code)).toEqual(["role_value_pattern_invalid"]);
    expect(errors[0]?.message).toContain("no SAML provider name");
  });

  it("ignores group mapping fields when group mapping is off", () => {
    expect(validateSignOnSettings({ ...valid, useGroupMapping: false, groupFilter: "(" })).toEqual([]);
  });

  it("refuses an unknown partition", () => {
    expect(validateSignOnSettings({ ...valid, partition: "aws-iso" as never })[0]?.message).toContain("aws-iso");
  });
});
