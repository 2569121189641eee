import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const USER_DOCS = ["README.md", ...readdirSync(join(ROOT, "docs")).map((f) => join("docs", f))].filter((f) =>
  f.endsWith(".md"),
);

describe("user-facing docs", () => {
  it("cite no developer machine paths or files outside the repository", () => {
    const offending = USER_DOCS.flatMap((file) =>
      readFileSync(join(ROOT, file), "utf8")
        .split("\n")
        .map((line, i) => ({ where: `${file}:${i + 1}`, line }))
        .filter(({ line }) => /\/work\/|\.\.\/shared|(?<![\w-])shared\/[A-Z\w-]+\.md|\/home\/|\/Users\//.test(line)),
    );
    expect(offending).toEqual([]);
  });

  it("each guide for administrators says how its commands find the server's data", () => {
    const guides = [
      "aws-account-federation",
      "aws-identity-center",
      "cli",
      "cli-credentials",
      "import",
      "ldap",
      "migration",
      "migration-saml-setup",
      "policy-audit",
    ];
    const silent = guides.filter(
      (g) => !/ROLEBRIDGE_DATA_DIR/.test(readFileSync(join(ROOT, "docs", `${g}.md`), "utf8")),
    );
    expect(silent).toEqual([]);
  });

  it("state the supported Node.js versions, as package.json's engines do", () => {
    const engines = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string } })
      .engines.node;
    expect(engines).toBe("^20.11.0 || >=22.0.0");
    expect(readFileSync(join(ROOT, "README.md"), "utf8")).toMatch(/Node\.js 20\.11 or later.*22/);
  });
});
