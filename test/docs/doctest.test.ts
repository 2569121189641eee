import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { missingOutput, parseGuide, Session } from "./doctest.js";

/** The doc test's own parts: a guide that drifts must fail, so the parts that decide that are checked here. */
const dir = mkdtempSync(join(tmpdir(), "rb-doctest-self-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("parseGuide", () => {
  it("reads the marked blocks in order and reports command blocks with no marker", () => {
    const file = join(dir, "guide.md");
    writeFileSync(
      file,
      [
        "# Guide",
        "<!-- doctest -->",
        "```sh",
        "echo one",
        "```",
        "<!-- doctest: output -->",
        "```text",
        "one",
        "```",
        '<!-- doctest: background "ready" -->',
        "```sh",
        "serve",
        "```",
        "<!-- doctest: exit 2 -->",
        "```sh",
        "false",
        "```",
        "<!-- doctest: file users.csv -->",
        "```csv",
        "login,email",
        "```",
        "<!-- not a doctest: a template -->",
        "```sh",
        "edit <this>",
        "```",
        "```sh",
        "forgotten",
        "```",
        "```json",
        "{}",
        "```",
      ].join("\n"),
    );
    const guide = parseGuide(file);
    expect(guide.blocks).toEqual([
      { kind: "run", line: 3, code: "echo one", exit: 0 },
      { kind: "output", line: 7, text: "one" },
      { kind: "background", line: 11, code: "serve", ready: /ready/ },
      { kind: "run", line: 15, code: "false", exit: 2 },
      { kind: "file", line: 19, name: "users.csv", text: "login,email\n" },
    ]);
    expect(guide.unmarked).toEqual([26]);
  });
});

describe("missingOutput", () => {
  it("wants every shown line, in order, with … for any text", () => {
    const printed = "Created aws-prod (app_01) ACTIVE\nIdP metadata for AWS: http://127.0.0.1:4000/app/aws-prod\n";
    expect(
      missingOutput("Created aws-prod (app_…) ACTIVE\nIdP metadata for AWS: http://…/app/aws-prod", printed),
    ).toEqual([]);
    expect(missingOutput("IdP metadata for AWS: …\nCreated aws-prod …", printed)).toEqual(["Created aws-prod …"]);
    expect(missingOutput("Created aws-dev (app_…) ACTIVE", printed)).toEqual(["Created aws-dev (app_…) ACTIVE"]);
  });
});

describe("Session", () => {
  it("keeps exports between blocks, replaces overridden ones, and fails a block whose middle command fails", async () => {
    const session = new Session(dir, { PORT: "4242" });
    try {
      expect(await session.run("export PORT=8080 NAME='a b'\necho $PORT")).toMatchObject({
        failed: false,
        stdout: "4242\n",
      });
      expect((await session.run('echo "$NAME"')).stdout).toBe("a b\n");
      const failing = await session.run("echo before\nfalse\necho after");
      expect(failing).toMatchObject({ failed: true, exit: 1, stdout: "before\nafter\n" });
      expect(await session.run("printf x | cat")).toMatchObject({ failed: false, stdout: "x" });
      expect((await session.run("sh -c 'exit 3' | cat")).exit).toBe(3);
      await session.start("echo up; sleep 30", /up/);
      expect((await session.run("exit 4")).failed).toBe(true);
    } finally {
      await session.close();
    }
  });
});
