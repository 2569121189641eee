import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { IntegrationContext } from "../../../src/core/policy/context.js";
import { DEMO } from "../../../src/sandbox/demo.js";

interface FixtureRole {
  accountId: string;
  name: string;
  path?: string;
  trustPolicy: unknown;
}

export const demoFixture = () =>
  JSON.parse(readFileSync(resolve(import.meta.dirname, "../../../fixtures/sandbox/demo.json"), "utf8")) as {
    roles: FixtureRole[];
    users: Array<{ name: string; inlinePolicies: Record<string, unknown> }>;
  };

/** The demo's accounts and roles as the audit would read them from the sandbox, without starting it. */
export function demoContext(): IntegrationContext {
  const fixture = demoFixture();
  return {
    partition: "aws",
    sourceAccountId: DEMO.managementAccountId,
    principalArn: DEMO.apiUser.arn,
    crossAccountRoleName: DEMO.crossAccountRoleName,
    accounts: Object.values(DEMO.accounts).map((accountId) => ({
      accountId,
      reachable: true,
      roles: fixture.roles
        .filter((r) => r.accountId === accountId)
        .map((r) => {
          const path = r.path ?? "/";
          return {
            arn: `arn:aws:iam::${accountId}:role${path}${r.name}`,
            name: r.name,
            path,
            trustPolicy: JSON.stringify(r.trustPolicy),
          };
        }),
    })),
  };
}
