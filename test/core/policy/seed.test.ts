import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { auditPolicyText } from "../../../src/core/policy/audit.js";
import { leastPrivilegePolicy } from "../../../src/core/policy/least-privilege.js";
import { proofCases, proofTable, simulate } from "../../../src/core/policy/proof.js";
import { demoContext, demoFixture } from "./demo-context.js";

/** The guide's sample, exactly as printed in the migration guide (typos included). */
const printed = readFileSync(
  resolve(import.meta.dirname, "../../../fixtures/policy/guide-sample-statement.txt"),
  "utf8",
);
const statement = printed
  .trim()
  .replace(/^\.\.\./, "")
  .replace(/\.\.\.$/, "");

describe("the migration guide's sample policy", () => {
  const ctx = demoContext();

  it("as printed (with the ellipses) is refused as not JSON, at line 1, column 1", async () => {
    await expect(auditPolicyText("guide.txt", printed, ctx)).rejects.toMatchObject({
      code: "validation_failed",
      message: expect.stringMatching(/not JSON: .* at line 1, column 1/),
    });
  });

  it("pasted into the API user's policy as the guide says: every defect found, with positions", async () => {
    const user = demoFixture().users.find((u) => u.name === "okta-api-user")!;
    const current = user.inlinePolicies["okta-legacy-api-mode"] as { Statement: unknown[] };
    // The guide: replace the wildcard AssumeRole with its statement, keep the rest.
    const text = JSON.stringify({ ...current, Statement: current.Statement.slice(1) }, null, 2).replace(
      '"Statement": [',
      `"Statement": [\n    ${statement},`,
    );
    const findings = await auditPolicyText("okta-legacy-api-mode", text, ctx);
    console.log(
      findings.map((f) => `${f.severity}\t${f.code}\t${f.line ?? "-"}:${f.column ?? "-"}\t${f.message}`).join("\n"),
    );
    const by = (code: string) => findings.filter((f) => f.code === code);
    const line = text.split("\n").findIndex((l) => l.includes("sts.AssumreRole"));
    const column = text.split("\n")[line]!.indexOf('"sts.AssumreRole"') + 1;
    expect(by("action_malformed")).toEqual([
      expect.objectContaining({ severity: "high", suggestion: "sts:AssumeRole", statement: 0, line: line + 1, column }),
    ]);
    expect(by("unknown_role")).toEqual([
      expect.objectContaining({
        suggestion: "arn:aws:iam::*:role/Okta-Idp-cross-account-role",
        message: expect.stringContaining("closest existing name is Okta-Idp-cross-account-role"),
      }),
    ]);
    expect(by("assume_role_wildcard")).toEqual([
      expect.objectContaining({ message: expect.stringContaining("the account is a wildcard") }),
    ]);
    expect(by("integration_call_denied")).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/sts:AssumeRole .*222233334444.*555566667777/) }),
    ]);
    expect(by("unneeded_action").map((f) => f.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining("iam:GetUser"),
        expect.stringContaining("organizations:ListAccounts"),
      ]),
    );
  });

  it("as a policy of its own it also lacks a Version and the role-list permissions", async () => {
    const findings = await auditPolicyText("guide-statement.json", `{"Statement": [${statement}]}`, ctx);
    expect(findings.map((f) => f.code)).toEqual(
      expect.arrayContaining(["action_malformed", "unknown_role", "assume_role_wildcard", "missing_version"]),
    );
    expect(
      findings
        .filter((f) => f.code === "integration_call_denied")
        .map((f) => f.message)
        .join("\n"),
    ).toMatch(/iam:ListRoles/);
  });

  it("the guide's statement with its typos corrected still admits the role name in any account", async () => {
    const corrected = JSON.parse(
      statement.replace("sts.AssumreRole", "sts:AssumeRole").replace("acount", "account"),
    ) as object;
    const rows = await simulate(
      ctx,
      [{ name: "corrected", policy: { Version: "2012-10-17", Statement: [corrected] } }],
      proofCases(ctx),
    );
    const stranger = rows.at(-1)!;
    expect(stranger).toMatchObject({ expected: "deny", decision: "Allowed", ok: false });
  });

  it("the fix's policy simulates correctly: every call allowed, every other role and account denied", async () => {
    const policy = leastPrivilegePolicy(ctx);
    const rows = await simulate(ctx, [{ name: "least-privilege", policy }], proofCases(ctx));
    console.log(`${JSON.stringify(policy, null, 2)}\n${proofTable(rows)}`);
    expect(rows.filter((r) => !r.ok)).toEqual([]);
    expect(rows.filter((r) => r.expected === "allow").map((r) => r.action)).toEqual(
      expect.arrayContaining(["iam:ListRoles", "iam:ListAccountAliases", "sts:AssumeRole"]),
    );
    expect(rows.filter((r) => r.expected === "deny").length).toBeGreaterThan(20);
  });
});
