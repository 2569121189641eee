import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { GROUPS_BASE, PEOPLE_BASE, seedLdif } from "../helpers/ldap-seed.js";
import { PortalBrowser } from "../helpers/portal-browser.js";
import { READER_DN, READER_PW, startSlapd } from "../helpers/slapd.js";
import { makeTestCa } from "../helpers/test-ca.js";
import { freePort, missingOutput, parseGuide, type RunResult, Session } from "./doctest.js";

/**
 * The guides, run as written: every marked command block of each guide, in order, in one shell on a fresh
 * directory, against a fresh data directory and the sandbox standing in for AWS (see doctest.ts for the markers).
 * A guide that drifts from the code fails here. The CLI runs from dist/ (`npm run build` first).
 */
const ROOT = resolve(import.meta.dirname, "../..");
const GUIDES = [
  "docs/aws-account-federation.md",
  "docs/aws-identity-center.md",
  "docs/sandbox.md",
  "docs/import.md",
  "docs/policy-audit.md",
  "docs/migration.md",
  "docs/ldap.md",
  "docs/cli-credentials.md",
  "docs/migration-saml-setup.md",
  "README.md",
];

/**
 * What a guide needs besides the sandbox, standing in for the reader's own systems: ldap.md's directory is a
 * throwaway slapd (StartTLS under a test CA), its values given to the variables the guide tells the reader to set.
 */
interface Setup {
  overrides: Record<string, string>;
  cleanup: () => Promise<void>;
  /** A person's step between blocks, done by the test once a background block is ready (given its output). */
  afterBackground?: (output: string, session: Session) => Promise<void>;
}

const SETUP: Record<string, () => Promise<Setup>> = {
  "docs/ldap.md": async () => {
    const ca = makeTestCa();
    const slapd = await startSlapd(seedLdif(5), { tls: { cert: ca.cert, key: ca.key } });
    return {
      overrides: {
        LDAP_URL: slapd.url,
        LDAP_CA_FILE: join(ca.dir, "ca.pem"),
        LDAP_BIND_DN: READER_DN,
        BIND_PASSWORD: READER_PW,
        LDAP_PEOPLE_BASE: PEOPLE_BASE,
        LDAP_GROUPS_BASE: GROUPS_BASE,
      },
      cleanup: async () => {
        await slapd.cleanup();
        rmSync(ca.dir, { recursive: true, force: true });
      },
    };
  },
  // cli-credentials.md: the person approves `aws login` in the browser; here, through the portal's pages.
  "docs/cli-credentials.md": async () => ({
    overrides: {},
    cleanup: async () => {},
    afterBackground: async (output, session) => {
      const link = /open (http\S+\?user_code=\S+) directly/.exec(output)?.[1];
      if (!link) return;
      const browser = new PortalBrowser(new URL(link).origin);
      const url = new URL(link);
      await browser.signIn("alice@example.com", "rolebridge-demo", url.pathname + url.search);
      const decided = await browser.decideDevice(link, "approve");
      if (decided.status !== 200) throw new Error(`the approval answered ${decided.status}`);
      await session.waitForBackground(/Signed in as alice@example\.com/);
    },
  }),
};

/** The tools the guides tell readers to use besides rolebridge. */
const missingTools = ["aws", "jq", "curl"].filter((tool) => {
  try {
    execFileSync(tool, ["--version"], { stdio: "ignore" });
    return false;
  } catch {
    return true;
  }
});

const describeFailure = (where: string, code: string, r: RunResult, why: string) =>
  `${where}: ${why}\n--- block\n${code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;

describe("the guides, followed as written", () => {
  it("need the AWS CLI, jq and curl, as their readers do (Debian: apt-get install awscli jq curl)", () => {
    expect(missingTools).toEqual([]);
  });

  it.each(GUIDES)("%s: every command block is marked for the doc test", (file) => {
    const guide = parseGuide(join(ROOT, file));
    expect(guide.unmarked.map((line) => `${file}:${line}`)).toEqual([]);
    expect(guide.blocks.length).toBeGreaterThan(0);
  });

  // Each guide has its own shell, ports and directories, so they run side by side.
  it.concurrent.each(GUIDES)(
    "%s: every marked block works as written, with the output shown",
    async (file) => {
      const guide = parseGuide(join(ROOT, file));
      const dir = mkdtempSync(join(tmpdir(), "rb-doctest-"));
      const sandboxPort = await freePort();
      const setup = await SETUP[file]?.();
      // The ports the guides export, replaced by free ones so runs side by side do not collide.
      const session = new Session(dir, {
        ROLEBRIDGE_PORT: String(await freePort()),
        SANDBOX_PORT: String(sandboxPort),
        SANDBOX_URL: `http://127.0.0.1:${sandboxPort}`,
        ...setup?.overrides,
      });
      // Every failing block is reported, not only the first, so one drift does not hide the next.
      const failures: string[] = [];
      let last: { code: string; result: RunResult } | undefined;
      try {
        for (const block of guide.blocks) {
          const where = `${file}:${block.line}`;
          if (block.kind === "background") {
            const output = await session.start(block.code, block.ready);
            await setup?.afterBackground?.(output, session);
            last = undefined;
          } else if (block.kind === "file") {
            session.save(block.name, block.text);
          } else if (block.kind === "run") {
            const result = await session.run(block.code);
            last = { code: block.code, result };
            if (block.exit === 0 && result.failed) failures.push(describeFailure(where, block.code, result, "failed"));
            if (block.exit !== 0 && result.exit !== block.exit)
              failures.push(describeFailure(where, block.code, result, `exit ${result.exit}, not ${block.exit}`));
          } else if (!last) {
            failures.push(`${where}: shown output without a block run before it`);
          } else {
            const missing = missingOutput(block.text, last.result.stdout + last.result.stderr);
            if (missing.length)
              failures.push(describeFailure(where, last.code, last.result, `does not print ${missing.join(" / ")}`));
          }
        }
      } finally {
        await session.close();
        await setup?.cleanup();
        rmSync(dir, { recursive: true, force: true });
      }
      expect(failures.join("\n\n")).toBe("");
    },
    240_000,
  );
});
