import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { appTarget } from "../../../src/core/audit.js";

const SRC = resolve(import.meta.dirname, "../../../src");
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );

describe("an app's capabilities are found by file name", () => {
  it("splits signing keys, explain/lint and legacy API mode into files named for them", () => {
    for (const dir of ["server/routes", "cli/commands"]) {
      expect(existsSync(join(SRC, dir, "app-credentials.ts"))).toBe(false);
      expect(existsSync(join(SRC, dir, "app-signing-keys.ts"))).toBe(true);
      expect(existsSync(join(SRC, dir, "app-legacy-api.ts"))).toBe(true);
    }
    expect(existsSync(join(SRC, "server/routes/app-explain-lint.ts"))).toBe(true);
  });

  it("names an app as a System Log target in one place", () => {
    expect(appTarget({ id: "app_1", slug: "aws" })).toEqual({ type: "app", id: "app_1", display: "aws" });
    const literal = /type: "app",\s*id:/;
    const holders = filesUnder(SRC).filter((f) => literal.test(readFileSync(f, "utf8")));
    expect(holders.map((f) => f.slice(SRC.length + 1))).toEqual(["core/audit.ts"]);
  });
});
