import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { SignedXml } from "xml-crypto";
import { lastLine, rolebridge, tempDir } from "./run.js";

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = (...args: string[]) => rolebridge([...args, "--data-dir", dir]);

describe("rolebridge apps, explain and saml", () => {
  it("creates an app, assigns a role group, explains and previews the signed Response", async () => {
    expect((await run("users", "create", "--login", "alice@example.com", "--email", "alice@example.com")).code).toBe(0);
    const group = JSON.parse(
      (await run("groups", "create", "--name", "aws#prod#Admin#222233334444", "--source", "active_directory", "--json"))
        .stdout,
    ) as { id: string };
    expect((await run("groups", "add-member", group.id, "alice@example.com")).code).toBe(0);
    const settings = JSON.stringify({
      useGroupMapping: true,
      appFilter: "active_directory",
      defaultSamlProviderName: "rolebridge",
    });
    const created = await run("apps", "create", "--slug", "aws-demo", "--label", "AWS", "--settings", settings);
    expect(created.code).toBe(0);
    expect((await run("apps", "assign", "aws-demo", "--group", group.id)).code).toBe(0);

    const explained = await run("explain", "--app", "aws-demo", "--user", "alice@example.com");
    expect(explained.stdout).toContain("arn:aws:iam::222233334444:role/Admin");
    expect(explained.stdout).toContain("group-mapping via aws#prod#Admin#222233334444");

    const preview = await run("saml", "preview", "--app", "aws-demo", "--user", "alice@example.com");
    expect(preview.code).toBe(0);
    const xml = Buffer.from(lastLine(preview.stdout), "base64").toString("utf8");
    expect(xml).toMatch(/^<samlp:Response /);
    expect(xml).toContain("arn:aws:iam::222233334444:role/Admin,arn:aws:iam::222233334444:saml-provider/rolebridge");

    const metadata = await run("saml", "metadata", "--app", "aws-demo");
    const cert = /<ds:X509Certificate>([^<]+)</.exec(metadata.stdout)?.[1];
    expect(cert).toBeDefined();
    const pem = `-----BEGIN CERTIFICATE-----\n${cert}\n-----END CERTIFICATE-----\n`;
    const sig = new SignedXml({ publicCert: pem, getCertFromKeyInfo: () => null });
    sig.loadSignature(/<ds:Signature[\s\S]*?<\/ds:Signature>/.exec(xml)![0]);
    expect(sig.checkSignature(xml)).toBe(true);
    // The entityID was fixed at creation: serving on another port does not change it.
    const moved = await rolebridge(["saml", "metadata", "--app", "aws-demo", "--data-dir", dir], {
      env: { ROLEBRIDGE_PORT: "9999" },
    });
    expect(/entityID="([^"]+)"/.exec(moved.stdout)?.[1]).toBe(/entityID="([^"]+)"/.exec(metadata.stdout)?.[1]);

    // Issue 16: an admin previewing someone else's sign-in is told about that person, not "you".
    expect((await run("users", "create", "--login", "erin@example.com", "--email", "erin@example.com")).code).toBe(0);
    const erin = await run("saml", "preview", "--app", "aws-demo", "--user", "erin@example.com");
    expect([erin.code, erin.stderr]).toEqual([6, "rolebridge: erin@example.com is not assigned to AWS\n"]);
  });

  it("refuses bad input with one line and a non-zero exit", async () => {
    const bad = await run("apps", "create", "--slug", "aws-2", "--label", "x", "--settings", '{"groupFilter":"(x"}');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^rolebridge: the AWS app settings are invalid: \/settings\/groupFilter .+\n$/);
    const usage = await run("apps", "create", "--slug", "aws-2", "--label", "x", "--settings", "[1]");
    expect(usage.code).toBe(2);
    const none = await run("saml", "preview", "--app", "nope", "--user", "alice@example.com");
    expect([none.code, none.stderr]).toEqual([3, 'rolebridge: app "nope" does not exist\n']);
    const deactivated = await run("apps", "deactivate", "aws-demo");
    expect(deactivated.code).toBe(0);
    const refused = await run("saml", "preview", "--app", "aws-demo", "--user", "alice@example.com");
    expect(refused.code).toBe(6);
    expect(refused.stderr).toContain("switched off");
  });
});
