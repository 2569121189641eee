import { randomBytes } from "node:crypto";
import { lstatSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { profileNames, writeProfiles } from "../../src/cli/aws/configure.js";
import { type CliRole, pickRole } from "../../src/cli/aws/credentials.js";
import { openSealed, seal, writePrivateFile } from "../../src/cli/aws/files.js";
import { newUserCode, normalizeUserCode } from "../../src/core/device-auth/codes.js";
import { tempDir } from "./run.js";

const role = (name: string, roleArn: string, app = "aws-demo"): CliRole => ({
  name,
  roleArn,
  providerArn: `${roleArn.split(":role/")[0]}:saml-provider/rolebridge`,
  accountId: roleArn.split(":")[4]!,
  accountAlias: name.split("/")[0]!,
  roleName: name.split("/").slice(1).join("/"),
  app,
  partition: "aws",
});

describe("rolebridge aws building blocks", () => {
  const roles = [
    role("prod/Admin", "arn:aws:iam::222233334444:role/Admin"),
    role("prod/Admin", "arn:aws:iam::222233334444:role/Admin", "aws-legacy"),
    role("stage/Admin", "arn:aws:iam::333344445555:role/Admin"),
    role("prod/support/Tier1", "arn:aws:iam::222233334444:role/support/Tier1"),
  ];

  it("picks a role by alias/role (any case), account id/role or ARN, and says what there is otherwise", () => {
    expect(pickRole(roles, "PROD/admin").roleArn).toBe("arn:aws:iam::222233334444:role/Admin");
    expect(pickRole(roles, "333344445555/Admin").name).toBe("stage/Admin");
    expect(pickRole(roles, "arn:aws:iam::222233334444:role/support/Tier1").name).toBe("prod/support/Tier1");
    expect(() => pickRole(roles, "prod/ReadOnly")).toThrow(
      "you have no role prod/ReadOnly; your roles: prod/Admin, prod/Admin, stage/Admin, prod/support/Tier1",
    );
    const twins = [
      role("x/Admin", "arn:aws:iam::111111111111:role/Admin"),
      role("x/Admin", "arn:aws:iam::222222222222:role/Admin"),
    ];
    expect(() => pickRole(twins, "x/Admin")).toThrow("x/Admin names several roles; use the role ARN");
    // The same role through two apps: --app says which one signs in.
    for (const app of ["aws-demo", "aws-legacy"]) expect(pickRole(roles, "prod/Admin", app).app).toBe(app);
    expect(pickRole(roles, "arn:aws:iam::222233334444:role/Admin", "aws-legacy").app).toBe("aws-legacy");
    expect(() => pickRole(roles, "stage/Admin", "aws-legacy")).toThrow("you have no role stage/Admin");
    expect(() => pickRole(roles, "prod/Admin", "aws-other")).toThrow(
      "you have no roles through the app aws-other; your apps: aws-demo, aws-legacy",
    );
  });

  it("writes profiles without touching other sections, rewrites its own, and is idempotent", () => {
    const path = join(tempDir(), "config");
    writeFileSync(
      path,
      "# my settings\n[default]\nregion = eu-west-1\n[profile prod-Admin]\nregion = x\n[profile other]\noutput = text",
    );
    const profiles = [
      { name: "prod-Admin", settings: { credential_process: "rb one" } },
      { name: "stage-Admin", settings: { credential_process: "rb two" } },
    ];
    expect(writeProfiles(path, profiles)).toEqual({ added: ["stage-Admin"], updated: ["prod-Admin"] });
    const once = readFileSync(path, "utf8");
    expect(once).toContain("# my settings\n[default]\nregion = eu-west-1\n");
    expect(once).toContain("[profile other]\noutput = text\n");
    expect(once).toContain(
      "[profile prod-Admin]\n# written by `rolebridge aws configure`; it rewrites this section\ncredential_process = rb one\n",
    );
    expect(once).not.toContain("region = x");
    writeProfiles(path, profiles);
    expect(readFileSync(path, "utf8")).toBe(once);
    expect(statSync(path).mode & 0o777).toBe(0o600);

    const linked = join(tempDir(), "config");
    symlinkSync(path, linked);
    writeProfiles(linked, [{ name: "third", settings: { region: "us-east-1" } }]);
    expect(lstatSync(linked).isSymbolicLink()).toBe(true);
    expect(readFileSync(path, "utf8")).toContain("[profile third]");
  });

  it("names one profile per (app, role): only clashing names carry the app slug or account id, in any order", () => {
    const mixed = [
      ...roles,
      role("x/Admin", "arn:aws:iam::111111111111:role/Admin"),
      role("x/Admin", "arn:aws:iam::999999999999:role/Admin"),
    ];
    const names = (list: CliRole[]) =>
      Object.fromEntries(profileNames("rb-", list).map((n) => [`${n.role.app} ${n.role.roleArn}`, n.name]));
    expect(names(mixed)).toEqual({
      "aws-demo arn:aws:iam::222233334444:role/Admin": "rb-prod-Admin-aws-demo",
      "aws-legacy arn:aws:iam::222233334444:role/Admin": "rb-prod-Admin-aws-legacy",
      "aws-demo arn:aws:iam::333344445555:role/Admin": "rb-stage-Admin",
      "aws-demo arn:aws:iam::222233334444:role/support/Tier1": "rb-prod-support-Tier1",
      "aws-demo arn:aws:iam::111111111111:role/Admin": "rb-x-Admin-111111111111",
      "aws-demo arn:aws:iam::999999999999:role/Admin": "rb-x-Admin-999999999999",
    });
    expect(names([...mixed].reverse())).toEqual(names(mixed));
    expect(profileNames("", [roles[0]!, roles[0]!, roles[2]!]).map((n) => n.name)).toEqual([
      "prod-Admin",
      "stage-Admin",
    ]);
    // A suffixed name meeting another role's plain name is refused, never written over.
    const trap = [...roles.slice(0, 2), role("prod/Admin-aws-demo", "arn:aws:iam::222233334444:role/Admin-aws-demo")];
    expect(() => profileNames("", trap)).toThrow("two roles would share the AWS profile prod-Admin-aws-demo");
  });

  it("configures every (app, role) as its own profile in one run on an empty file", () => {
    const path = join(tempDir(), "config");
    const named = profileNames("", roles);
    const profiles = named.map((n) => ({ name: n.name, settings: { credential_process: `rb ${n.role.app}` } }));
    expect(writeProfiles(path, profiles)).toEqual({
      added: ["prod-Admin-aws-demo", "prod-Admin-aws-legacy", "stage-Admin", "prod-support-Tier1"],
      updated: [],
    });
    const text = readFileSync(path, "utf8");
    expect(text).toContain(
      "[profile prod-Admin-aws-demo]\n# written by `rolebridge aws configure`; it rewrites this section\ncredential_process = rb aws-demo\n",
    );
    expect(text).toContain(
      "[profile prod-Admin-aws-legacy]\n# written by `rolebridge aws configure`; it rewrites this section\ncredential_process = rb aws-legacy\n",
    );
    expect(() => writeProfiles(path, [profiles[0]!, profiles[0]!])).toThrow("named twice; nothing was written");
    expect(readFileSync(path, "utf8")).toBe(text);
  });

  it("seals with AES-GCM: another key, another purpose or one flipped bit reads as absent", () => {
    const dir = tempDir();
    const key = randomBytes(32);
    const path = join(dir, "sub", "x.enc");
    writePrivateFile(path, seal(key, "purpose", { secret: "s3cr3t" }));
    expect(openSealed(key, "purpose", path)).toEqual({ secret: "s3cr3t" });
    expect(readFileSync(path).toString("latin1")).not.toContain("s3cr3t");
    expect(openSealed(randomBytes(32), "purpose", path)).toBeNull();
    expect(openSealed(key, "other purpose", path)).toBeNull();
    const bytes = readFileSync(path);
    bytes[bytes.length - 1]! ^= 1;
    writeFileSync(path, bytes);
    expect(openSealed(key, "purpose", path)).toBeNull();
    expect(statSync(join(dir, "sub")).mode & 0o777).toBe(0o700);
  });

  it("makes user codes of 8 consonants and reads them back whatever the case and separators", () => {
    const code = newUserCode();
    expect(code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(normalizeUserCode(` ${code.toLowerCase().replace("-", " ")} `)).toBe(code.replace("-", ""));
    expect(normalizeUserCode("ABCD-EFGH")).toBeNull();
    expect(normalizeUserCode("BCDF-GHJ")).toBeNull();
  });
});
