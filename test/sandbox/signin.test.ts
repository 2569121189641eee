import { readFileSync } from "node:fs";
import { CreateRoleCommand, CreateSAMLProviderCommand } from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SandboxHandle, startSandbox } from "../../src/sandbox/index.js";
import { idpMetadata, OTHER_KEY, samlResponse } from "./helpers/saml.js";
import { ADMIN, clients, MANAGEMENT, NA_PROD } from "./helpers/sandbox.js";

let sandbox: SandboxHandle;
const provider = (account: string) => `arn:aws:iam::${account}:saml-provider/rolebridge`;
const pair = (account: string, role: string) => `arn:aws:iam::${account}:role/${role},${provider(account)}`;

beforeAll(async () => {
  // The demo fixture plus the test IdP registered as "rolebridge" in the North America production account.
  const demo = JSON.parse(readFileSync(new URL("../../fixtures/sandbox/demo.json", import.meta.url), "utf8"));
  demo.samlProviders.push({ accountId: NA_PROD, name: "rolebridge", metadata: idpMetadata() });
  sandbox = await startSandbox({ fixture: demo });
  const admin = clients(sandbox, ADMIN);
  await admin.iam.send(new CreateSAMLProviderCommand({ Name: "rolebridge", SAMLMetadataDocument: idpMetadata() }));
  await admin.iam.send(
    new CreateRoleCommand({
      RoleName: "GovReader",
      AssumeRolePolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: provider(MANAGEMENT) },
            Action: "sts:AssumeRoleWithSAML",
            Condition: {
              StringEquals: {
                "SAML:aud": [
                  "https://signin.amazonaws-us-gov.com/saml",
                  "https://us-west-2.signin.aws.amazon.com/saml",
                ],
              },
            },
          },
        ],
      }),
    }),
  );
});
afterAll(() => sandbox.close());

async function postAcs(url: string, form: Record<string, string>) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  });
  return { status: response.status, html: await response.text() };
}

describe("AWS sign-in ACS", () => {
  it("signs straight into the console when the response carries one role", async () => {
    const page = await postAcs(sandbox.signinUrl(), {
      SAMLResponse: samlResponse({ roles: [pair(MANAGEMENT, "ReadOnly")], sessionName: "alice" }),
    });
    expect(page.status).toBe(200);
    expect(page.html).toContain('<dd id="account">acme-management (111122223333)</dd>');
    expect(page.html).toContain('<dd id="role">ReadOnly</dd>');
    expect(page.html).toContain('<dd id="session-name">alice</dd>');
    expect(page.html).toMatch(/<dd id="expires">\d{4}-\d\d-\d\dT/);
  });

  it("shows the role picker grouped by account, then signs in with the chosen role", async () => {
    const roles = [pair(MANAGEMENT, "ReadOnly"), pair(MANAGEMENT, "Admin"), pair(MANAGEMENT, "Billing.Viewer")];
    const SAMLResponse = samlResponse({ roles });
    const picker = await postAcs(sandbox.signinUrl(), { SAMLResponse });
    expect(picker.status).toBe(200);
    expect(picker.html).toContain("Select a role:");
    expect(picker.html).toContain("Account: acme-management (111122223333)");
    const radios = [...picker.html.matchAll(/name="roleIndex" value="([^"]+)"/g)].map((m) => m[1]);
    expect(radios).toEqual([
      `arn:aws:iam::${MANAGEMENT}:role/Admin`,
      `arn:aws:iam::${MANAGEMENT}:role/Billing.Viewer`,
      `arn:aws:iam::${MANAGEMENT}:role/ReadOnly`,
    ]);
    const chosen = await postAcs(sandbox.signinUrl(), {
      SAMLResponse,
      roleIndex: `arn:aws:iam::${MANAGEMENT}:role/Billing.Viewer`,
    });
    expect(chosen.html).toContain('<dd id="role">Billing.Viewer</dd>');
  });

  it("refuses a response that expired 20 seconds ago (AWS documents no clock skew: none is allowed)", async () => {
    const page = await postAcs(sandbox.signinUrl(), {
      SAMLResponse: samlResponse({ roles: [pair(MANAGEMENT, "ReadOnly")], notOnOrAfter: -20 }),
    });
    expect(page.status).toBe(400);
    expect(page.html).toContain("expired");
  });

  it("refuses a replayed response once it signed someone in, while the role picker may post it back", async () => {
    const single = samlResponse({ roles: [pair(MANAGEMENT, "ReadOnly")], sessionName: "replayed" });
    expect((await postAcs(sandbox.signinUrl(), { SAMLResponse: single })).status).toBe(200);
    const replay = await postAcs(sandbox.signinUrl(), { SAMLResponse: single });
    expect(replay.status).toBe(400);
    expect(replay.html).toMatch(/already been used/);
    // Re-encoding the same Response (line breaks in the base64) is the same Response.
    const rewrapped = await postAcs(sandbox.signinUrl(), { SAMLResponse: single.replace(/(.{76})/g, "$1\n") });
    expect(rewrapped.status).toBe(400);

    const roles = [pair(MANAGEMENT, "ReadOnly"), pair(MANAGEMENT, "Admin")];
    const several = samlResponse({ roles, sessionName: "picker" });
    expect((await postAcs(sandbox.signinUrl(), { SAMLResponse: several })).html).toContain("Select a role:");
    const roleIndex = `arn:aws:iam::${MANAGEMENT}:role/Admin`;
    expect((await postAcs(sandbox.signinUrl(), { SAMLResponse: several, roleIndex })).status).toBe(200);
    expect((await postAcs(sandbox.signinUrl(), { SAMLResponse: several, roleIndex })).status).toBe(400);
  });

  it("groups roles from several accounts under each account's alias", async () => {
    const roles = [pair(NA_PROD, "ReadOnly"), pair(MANAGEMENT, "Admin"), pair(NA_PROD, "Tier1_Support")];
    const picker = await postAcs(sandbox.signinUrl(), { SAMLResponse: samlResponse({ roles }) });
    const groups = [...picker.html.matchAll(/<fieldset class="saml-account">([\s\S]*?)<\/fieldset>/g)].map((g) => ({
      account: /Account: ([^<]+)</.exec(g[1]!)?.[1],
      roles: [...g[1]!.matchAll(/class="saml-role-description">([^<]+)</g)].map((m) => m[1]),
    }));
    expect(groups).toEqual([
      { account: "acme-management (111122223333)", roles: ["Admin"] },
      { account: "northamerica-production (222233334444)", roles: ["ReadOnly", "Tier1_Support"] },
    ]);
    const chosen = await postAcs(sandbox.signinUrl(), {
      SAMLResponse: samlResponse({ roles }),
      roleIndex: `arn:aws:iam::${NA_PROD}:role/ReadOnly`,
    });
    expect(chosen.html).toContain('<dd id="account">northamerica-production (222233334444)</dd>');
  });

  it("renders AWS's invalid-response page for a bad signature, wrong recipient or missing session name", async () => {
    const cases = [
      samlResponse({ roles: [pair(MANAGEMENT, "Admin")], signingKey: OTHER_KEY }),
      samlResponse({ roles: [pair(MANAGEMENT, "Admin")], recipient: "https://us-east-2.signin.aws.amazon.com/saml" }),
      samlResponse({ roles: [pair(MANAGEMENT, "Admin")], sessionName: null }),
      "bm90IHhtbA==",
    ];
    for (const SAMLResponse of cases) {
      const page = await postAcs(sandbox.signinUrl(), { SAMLResponse });
      expect(page.status).toBe(400);
      expect(page.html).toContain("Your request included an invalid SAML response. To logout, click");
    }
  });

  it("serves the GovCloud and regional ACS with their own recipients and audiences", async () => {
    const gov = "https://signin.amazonaws-us-gov.com/saml";
    const govRole = `arn:aws-us-gov:iam::${MANAGEMENT}:role/GovReader,arn:aws-us-gov:iam::${MANAGEMENT}:saml-provider/rolebridge`;
    const page = await postAcs(sandbox.signinUrl(gov), {
      SAMLResponse: samlResponse({ roles: [govRole], recipient: gov, audience: "urn:amazon:webservices:govcloud" }),
    });
    expect(page.html).toContain('<dd id="partition">aws-us-gov</dd>');
    const regional = "https://us-west-2.signin.aws.amazon.com/saml";
    const ok = await postAcs(sandbox.signinUrl(regional), {
      SAMLResponse: samlResponse({ roles: [pair(MANAGEMENT, "GovReader")], recipient: regional }),
    });
    expect(ok.html).toContain('<dd id="role">GovReader</dd>');
    // The commercial audience is not accepted by the GovCloud ACS.
    const wrongAudience = await postAcs(sandbox.signinUrl(gov), {
      SAMLResponse: samlResponse({ roles: [govRole], recipient: gov }),
    });
    expect(wrongAudience.status).toBe(400);
  });

  it("also answers on the real host name, as behind a hosts-file entry or proxy", async () => {
    const { request } = await import("node:http");
    const body = new URLSearchParams({
      SAMLResponse: samlResponse({ roles: [pair(MANAGEMENT, "ReadOnly")] }),
    }).toString();
    const html = await new Promise<string>((resolve, reject) => {
      const req = request(
        `${sandbox.url}/saml`,
        {
          method: "POST",
          headers: { host: "signin.aws.amazon.com", "content-type": "application/x-www-form-urlencoded" },
        },
        (res) => {
          let text = "";
          res.on("data", (c) => {
            text += String(c);
          });
          res.on("end", () => resolve(text));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
    expect(html).toContain('<dd id="role">ReadOnly</dd>');
  });

  it("refuses a form larger than the sign-in page accepts", async () => {
    const page = await postAcs(sandbox.signinUrl(), { SAMLResponse: "A".repeat(200 * 1024) });
    expect(page.status).toBe(413);
    expect(page.html).toContain("Your request included an invalid SAML response");
  });
});
