import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateSAMLProviderCommand,
  GetRoleCommand,
  IAMClient,
  UpdateAssumeRolePolicyCommand,
} from "@aws-sdk/client-iam";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_ADMIN, DEMO_USER_PASSWORD } from "../../src/demo/seed.js";
import { DEMO } from "../../src/sandbox/demo.js";
import { serve, tempDir } from "../cli/run.js";
import { launchChromium, seriousViolations } from "../helpers/browser.js";

/**
 * The admin console's longer flows in real Chromium against `serve --demo`, through the UI only: an AWS Account
 * Federation app configured from scratch and a person signed into the sandbox through it; the migration off the
 * legacy API mode; unlock; a group edited and its before/after in the System Log. The AWS administrator's part
 * (registering the new app's metadata as a SAML provider, trusting it in a role) happens in AWS's console in the
 * guide; the sandbox has no console for it, so that part alone goes through IAM's API, as the admin's CLI would.
 */
const POLL = { timeout: 10_000 };
const MANAGEMENT = "111122223333";
const PROVIDER = "rolebridge-console";

describe("the admin console's flows in Chromium", () => {
  const dataDir = tempDir("rb-console-flows-");
  const shots = mkdtempSync(join(tmpdir(), "rb-console-flow-shots-"));
  let server: ReturnType<typeof serve>;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    server = serve(["--demo", "--port", "0", "--data-dir", dataDir]);
    [base, browser] = await Promise.all([server.url, launchChromium()]);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${base}/admin/people`);
    await page.getByRole("textbox", { name: "Email" }).fill(DEMO_ADMIN.login);
    await page.getByLabel("Password").fill(DEMO_ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "People", level: 1 }).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    server?.child.kill("SIGTERM");
    await server?.exited;
    rmSync(dataDir, { recursive: true, force: true });
    console.log(`console flow screenshots: ${shots}`);
  });

  async function check(name: string) {
    expect({ page: name, violations: await seriousViolations(page) }).toEqual({ page: name, violations: [] });
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  }
  const navLink = (name: string) =>
    page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true });
  const tab = (name: string) => page.getByRole("navigation", { name: "App sections" }).getByRole("link", { name });

  /** A person at the end-user portal, in their own browser context (their own cookies). */
  async function portal(login: string, password: string) {
    const person = await browser.newContext();
    const p = await person.newPage();
    p.setDefaultTimeout(10_000);
    await p.goto(`${base}/login`);
    await p.getByLabel("Username").fill(login);
    await p.getByLabel("Password").fill(password);
    await p.getByRole("button", { name: "Sign in" }).click();
    await p.waitForLoadState();
    return { person, p };
  }

  it("shows a person locked by failed sign-ins and unlocks them", async () => {
    const { person, p } = await portal("bob@example.com", "wrong password");
    for (let i = 1; i < 5; i++) {
      await p.getByLabel("Password").fill("wrong password");
      await p.getByRole("button", { name: "Sign in" }).click();
      await p.waitForLoadState();
    }
    await person.close();
    await navLink("People").click();
    await page.getByRole("searchbox", { name: "Search people" }).fill("bob");
    await page.getByRole("link", { name: "Bob Brown" }).click();
    await page.getByText(/^Locked by failed sign-ins/).waitFor();
    await check("person-locked");
    await page.getByRole("button", { name: "Unlock" }).click();
    await page.getByText("Unlocked", { exact: true }).waitFor();
    expect(await page.getByRole("button", { name: "Unlock" }).count()).toBe(0);
    // Bob signs in again.
    const again = await portal("bob@example.com", DEMO_USER_PASSWORD);
    await again.p.getByRole("button", { name: "Sign out" }).waitFor();
    await again.person.close();
  });

  it("edits a group's name and description, refusing a taken name at its field", async () => {
    await navLink("Groups").click();
    await page.getByRole("link", { name: "finance", exact: true }).click();
    await page.getByRole("heading", { name: "finance", level: 1 }).waitFor();
    await page.getByRole("button", { name: "Edit group" }).click();
    const name = page.getByRole("textbox", { name: "Name", exact: true });
    await name.fill("support");
    await page.getByRole("button", { name: "Save group" }).click();
    await expect.poll(() => name.getAttribute("aria-invalid"), POLL).toBe("true");
    await check("group-edit-error");
    await name.fill("finance-team");
    await page.getByRole("textbox", { name: "Description" }).fill("Finance and accounting");
    await page.getByRole("button", { name: "Save group" }).click();
    await page.getByRole("heading", { name: "finance-team", level: 1 }).waitFor();
    await page.getByText("Finance and accounting").waitFor();
  });

  it("shows the edit's before and after side by side in the System Log", async () => {
    await navLink("System Log").click();
    await page.getByRole("textbox", { name: "Action" }).fill("group.profile.update");
    await page.getByRole("button", { name: "Search log" }).click();
    const event = page.getByRole("list", { name: "Events" }).getByRole("listitem").first();
    await event.getByText("group.profile.update").click();
    const table = event.getByRole("table", { name: "Before and after" });
    await table.waitFor();
    const row = (field: string) => table.getByRole("row").filter({ has: page.getByRole("rowheader", { name: field }) });
    expect(await row("name").getByRole("cell").allTextContents()).toEqual(["finance", "finance-team"]);
    expect(await row("description").getByRole("cell").nth(1).textContent()).toBe("Finance and accounting");
    await check("system-log-before-after");
  });

  it("configures an AWS Account Federation app from scratch and signs a person into the sandbox through it", async () => {
    // Where the demo's sandbox signs in: shown on the demo app's Sign On tab.
    await page.goto(`${base}/admin/apps/aws-demo/sign-on`);
    const endpoint = page.getByRole("textbox", { name: "Sign-in endpoint URL (sandbox only)" });
    await expect.poll(() => endpoint.inputValue(), POLL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    const signinUrl = await endpoint.inputValue();

    await navLink("Apps").click();
    await page.getByRole("textbox", { name: "Label" }).fill("Console federation");
    await page.getByRole("textbox", { name: "Slug" }).fill("aws-console-fed");
    await page.getByRole("button", { name: "Create app" }).click();
    await page.getByRole("heading", { name: "Sign On settings" }).waitFor();
    await page.getByRole("combobox", { name: "Environment" }).selectOption("aws");
    await page.getByRole("textbox", { name: "Sign-in endpoint URL (sandbox only)" }).fill(signinUrl);
    await page.getByRole("textbox", { name: "Per-account provider names" }).fill(`${MANAGEMENT}=${PROVIDER}`);
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
    await check("federation-sign-on");

    // The AWS administrator registers the app's metadata (the General tab's download) and trusts it in a role.
    await tab("General").click();
    const href = await page.getByRole("link", { name: "Download metadata" }).getAttribute("href");
    const metadata = await page.evaluate(async (url) => (await fetch(url)).text(), href!);
    expect(metadata).toContain("EntityDescriptor");
    await trustNewProvider(signinUrl, metadata);

    await tab("Assignments").click();
    await page.getByRole("combobox", { name: "Assign a" }).selectOption("user");
    await page.getByRole("textbox", { name: "Person (login)" }).fill("carol@example.com");
    await page.getByRole("textbox", { name: "SAML User Roles" }).fill(`arn:aws:iam::${MANAGEMENT}:role/ReadOnly`);
    await page.getByRole("button", { name: "Assign", exact: true }).click();
    await page.getByRole("row").filter({ hasText: "carol@example.com" }).waitFor();
    await check("federation-assignments");

    const { person, p } = await portal("carol@example.com", DEMO_USER_PASSWORD);
    await p.getByRole("link", { name: /Console federation/ }).click();
    await p.locator("#role").waitFor({ timeout: 20_000 });
    expect(await p.locator("#role").textContent()).toBe("ReadOnly");
    expect(await p.locator("#account").textContent()).toContain(MANAGEMENT);
    expect(await p.locator("#session-name").textContent()).toBe("carol@example.com");
    await person.close();
  });

  it("walks the migration: inventory, plan with findings, proof with differences, apply with progress, cut-over, rollback, report", async () => {
    await navLink("Migration").click();
    await page.getByRole("heading", { name: "Migration", level: 1 }).waitFor();
    expect(await page.getByRole("combobox", { name: "From (legacy API-mode app)" }).inputValue()).toBe("aws-legacy");
    await page.getByRole("button", { name: "Read inventory" }).click();
    const accounts = page.getByRole("table", { name: "Connected accounts" });
    await accounts.waitFor({ timeout: 20_000 });
    expect(await accounts.getByRole("row").count()).toBeGreaterThan(2);

    // A Group Filter that cannot read the planned names back: blocking findings, and people losing roles.
    await page.getByText("More options").click();
    const filter = page.getByRole("textbox", { name: "Group Filter" });
    await filter.fill("^aws#(?{{accountid}}\\d+)#(?{{role}}Admin)$");
    await page.getByRole("button", { name: "Make the plan" }).click();
    await page.getByRole("table", { name: "Blocking findings (apply refuses)" }).waitFor({ timeout: 20_000 });
    await page.getByRole("button", { name: "Verify" }).click();
    const differences = page.getByRole("list", { name: "Differences" });
    await differences.waitFor({ timeout: 20_000 });
    expect(await differences.textContent()).toMatch(/alice@example\.com loses arn:aws:iam::/);
    expect(await page.getByRole("button", { name: "Apply" }).isDisabled()).toBe(true);
    await check("migration-differences");

    await filter.fill("");
    await page.getByRole("button", { name: "Make the plan" }).click();
    await page.getByText("No blocking finding.").waitFor({ timeout: 20_000 });
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByText(/^5 of 5 people identical/).waitFor({ timeout: 20_000 });
    await page.getByRole("button", { name: "Apply" }).click();
    await page
      .getByRole("dialog", { name: /Apply the migration/ })
      .getByRole("button", { name: "Apply" })
      .click();
    await page.getByText(/^Applied: \d+ steps done/).waitFor({ timeout: 30_000 });
    // The legacy keys may not read SAML providers: each account's failure is shown, the directory is whole.
    expect(await page.getByRole("list", { name: "Failed accounts" }).textContent()).toContain("AccessDenied");
    expect(await page.getByText(/^Apply finished: \d+ of \d+ steps/).count()).toBe(1);
    await check("migration-applied");
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByText(/^5 of 5 people identical/).waitFor({ timeout: 20_000 });

    // Cut over (the legacy app goes inactive), then roll the cut-over back, then the apply.
    await page.getByRole("button", { name: "Cut over" }).click();
    await page
      .getByRole("dialog", { name: "Cut over to aws-groups?" })
      .getByRole("button", { name: "Cut over" })
      .click();
    await page.getByText("Cut over: aws-legacy is inactive; 5 of 5 people identical.").waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Roll back" }).click();
    const dialog = page.getByRole("dialog", { name: /Roll back the migration/ });
    await dialog.getByRole("button", { name: "Roll back" }).click();
    await page.getByText(/^Rolled back the cut-over: aws-legacy is active again/).waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Roll back" }).click();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    // Cancel changed nothing: the outcome shown is still the cut-over's rollback.
    expect(await page.getByText(/^Rolled back/).textContent()).toMatch(/^Rolled back the cut-over/);
    await page.getByRole("button", { name: "Roll back" }).click();
    await dialog.getByRole("button", { name: "Roll back" }).click();
    await page.getByText(/^Rolled back: \d+ steps undone; aws-groups no longer exists\.$/).waitFor({ timeout: 30_000 });
    const undone = /(\d+) steps undone/.exec((await page.getByText(/^Rolled back: /).textContent())!)![1];
    expect(await page.getByText(/^Rollback finished: /).textContent()).toBe(
      `Rollback finished: ${undone} of ${undone} steps`,
    );

    // The HTML report opens in its own tab, styled by its own <style> under its own CSP; the Markdown downloads.
    const [tab] = await Promise.all([
      context.waitForEvent("page"),
      page.getByRole("link", { name: "Open the HTML report" }).click(),
    ]);
    await tab.getByRole("heading", { level: 1 }).waitFor();
    expect(await tab.textContent("body")).toContain("5 of 5 people identical");
    expect(await tab.evaluate(() => getComputedStyle(document.body).maxWidth)).not.toBe("none");
    await tab.close();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download the Markdown report" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("migration-aws-legacy-to-aws-groups.md");
    const saved = join(shots, "report.md");
    await download.saveAs(saved);
    expect(readFileSync(saved, "utf8")).toContain("# Migration report: aws-legacy → aws-groups");
    await check("migration-report");
  });

  it("fits a 390×844 phone on the new pages", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of ["/migration", "/groups", "/logs"]) {
      await page.goto(`${base}/admin${path}`);
      await page.locator("h1").waitFor();
      await page.waitForLoadState("networkidle");
      expect({ path, width: await page.evaluate(() => document.documentElement.scrollWidth) }).toEqual({
        path,
        width: 390,
      });
    }
    await check("phone-migration");
  });
});

/** The AWS administrator's side: the app's metadata as a SAML provider, and a role that trusts it. */
async function trustNewProvider(signinUrl: string, metadata: string) {
  const iam = new IAMClient({
    region: "us-east-1",
    endpoint: new URL(signinUrl).origin,
    credentials: { accessKeyId: DEMO.admin.accessKeyId, secretAccessKey: DEMO.admin.secretAccessKey },
  });
  const created = await iam.send(new CreateSAMLProviderCommand({ Name: PROVIDER, SAMLMetadataDocument: metadata }));
  const role = await iam.send(new GetRoleCommand({ RoleName: "ReadOnly" }));
  const trust = JSON.parse(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!)) as { Statement: unknown[] };
  trust.Statement.push({
    Effect: "Allow",
    Principal: { Federated: created.SAMLProviderArn },
    Action: "sts:AssumeRoleWithSAML",
    Condition: { StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" } },
  });
  await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: "ReadOnly", PolicyDocument: JSON.stringify(trust) }));
}
