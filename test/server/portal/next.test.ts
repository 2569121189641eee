import { describe, expect, it } from "vitest";
import { safeNext } from "../../../src/server/portal/next.js";

const ORIGIN = "https://idp.example.com";

/** Known open-redirect bypasses, as a browser or a form decoder would hand them to us (already decoded). */
const HOSTILE = [
  "https://evil.example/",
  "http://evil.example",
  "//evil.example",
  "///evil.example",
  "////evil.example/x",
  "/\\evil.example",
  "\\\\evil.example",
  "\\/evil.example",
  "/\t/evil.example",
  "/\n/evil.example",
  "/\r/evil.example",
  "/\r\nSet-Cookie: x=1",
  "\t//evil.example",
  " //evil.example",
  "/ /evil.example",
  "/\u0000/evil.example",
  "/\u00a0/evil.example",
  "/\u3000/evil.example",
  "/\u2028/evil.example",
  "/\u2029/evil.example",
  "/\u0085/evil.example",
  "/\ufeff/evil.example",
  "/\u200b/evil.example",
  "/./evil.example/..//evil.example",
  "/.//evil.example",
  "/%2e//evil.example",
  "javascript:alert(1)",
  "data:text/html,x",
  "evil.example",
  "@evil.example",
  "/@evil.example".replace("/", "//"),
  "https:evil.example",
  "/\u2215evil.example".replace("/", "//"),
  "",
];

describe("safeNext: where a freshly signed-in person is sent", () => {
  it.each(HOSTILE.map((h) => [JSON.stringify(h), h]))("refuses %s", (_label, hostile) => {
    const next = safeNext(hostile, ORIGIN);
    expect(next).toBe("/");
  });

  it("keeps same-origin paths with their query and fragment, percent-encoded", () => {
    expect(safeNext("/app/aws-demo/sso/saml", ORIGIN)).toBe("/app/aws-demo/sso/saml");
    expect(safeNext("/app/x/sso/saml?RelayState=a%20b#top", ORIGIN)).toBe("/app/x/sso/saml?RelayState=a%20b#top");
    expect(safeNext("/%09/evil.example", ORIGIN)).toBe("/%09/evil.example");
    expect(safeNext("/caf\u00e9", ORIGIN)).toBe("/caf%C3%A9");
  });

  it("never answers with something a browser resolves off-origin", () => {
    for (const hostile of HOSTILE) {
      const next = safeNext(hostile, ORIGIN);
      expect(new URL(next, ORIGIN).origin).toBe(ORIGIN);
      expect(next).toMatch(/^\/(?![/\\])[\x21-\x7e]*$|^\/$/);
    }
  });
});
