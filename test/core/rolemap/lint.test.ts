import { describe, expect, it } from "vitest";
import { DEFAULT_GROUP_FILTER, lintGroupFilter, OKTA_DEFAULT_GROUP_FILTER } from "../../../src/core/rolemap/index.js";

describe("lintGroupFilter", () => {
  const groups = [
    "aws#prod#Admin#123456789012",
    "aws#prod#data.eng#123456789012",
    "aws#prod#ops@team#123456789012",
    "aws#prod#Admin#12345",
    "aws#prod#Admin",
    "engineering",
  ];

  it("lists role groups Okta's default filter would miss, with the reason", () => {
    const result = lintGroupFilter(OKTA_DEFAULT_GROUP_FILTER, groups);
    expect(result.checked).toBe(5);
    expect(result.matched).toBe(2); // Okta's \d+ also takes the 5-digit account
    expect(result.missed).toEqual([
      { groupName: "aws#prod#data.eng#123456789012", hint: expect.stringContaining('"."') },
      { groupName: "aws#prod#ops@team#123456789012", hint: expect.stringContaining('"@"') },
      { groupName: "aws#prod#Admin", hint: expect.stringContaining("separators") },
    ]);
  });

  it("our default filter only misses malformed names", () => {
    const result = lintGroupFilter(DEFAULT_GROUP_FILTER, groups);
    expect(result.missed.map((m) => [m.groupName, m.hint])).toEqual([
      ["aws#prod#Admin#12345", 'account id "12345" is not 12 digits'],
      ["aws#prod#Admin", expect.stringContaining("separators")],
    ]);
  });

  it("takes a custom notion of role group", () => {
    const result = lintGroupFilter(DEFAULT_GROUP_FILTER, ["AWS-x", "other"], {
      looksLikeRoleGroup: (name) => name.startsWith("AWS-"),
    });
    expect(result).toEqual({ checked: 1, matched: 0, missed: [{ groupName: "AWS-x", hint: null }] });
  });
});
