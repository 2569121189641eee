import { describe, expect, it } from "vitest";
import { groupErrors, profileErrors } from "../../../src/core/directory/validate.js";
import { firstXmlUnsafe } from "../../../src/core/xml-safe.js";

/** Characters XML parsers drop, refuse or rewrite (xmldom turns U+0085, U+2028, U+2029 into "\n"). */
const REWRITTEN = [
  "\u0085",
  "\u2028",
  "\u2029",
  "\u0001",
  "\u0000",
  "\u001f",
  "\u007f",
  "\u0090",
  "\r",
  "\ud800",
  "\uffff",
];

const profile = (over: Record<string, string>) => ({
  login: "ann@example.com",
  email: "ann@example.com",
  firstName: "Ann",
  lastName: "Lee",
  displayName: "Ann Lee",
  ...over,
});

describe("values that reach a SAML assertion survive XML normalization", () => {
  it.each(REWRITTEN.map((c) => [`U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`, c]))(
    "refuses %s in every profile field and in group names, naming the field and the character",
    (label, c) => {
      for (const field of ["login", "email", "firstName", "lastName", "displayName"]) {
        const value = field === "email" ? `a${c}b@example.com` : `a${c}b`;
        const errors = profileErrors(profile({ [field]: value }));
        expect(errors.map((e) => e.path)).toContain(`/profile/${field}`);
        expect(errors.find((e) => e.path === `/profile/${field}`)?.message).toContain(label);
      }
      const group = groupErrors({
        name: `aws#a${c}#Admin#111122223333`,
        description: null,
        source: "local",
        externalId: null,
      });
      expect(group.map((e) => e.path)).toContain("/profile/name");
    },
  );

  it("keeps ordinary text, non-Latin scripts and astral characters", () => {
    expect(profileErrors(profile({ displayName: "Zoë Łukasz 山田 👩‍💻" }))).toEqual([]);
    expect(firstXmlUnsafe("plain \u00e9 \ud83d\ude00")).toBeNull();
    expect(firstXmlUnsafe("x\u2028y")).toEqual({ index: 1, codePoint: 0x2028 });
  });
});
