import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAwsSignIn } from "../../../src/core/apps/aws-sign-in.js";
import { createAppWithKey } from "../../../src/core/apps/create.js";
import type { App } from "../../../src/core/apps/model.js";
import { cliActor } from "../../../src/core/audit.js";
import type { User } from "../../../src/core/directory/model.js";
import type { Runtime } from "../../../src/runtime.js";
import { backends } from "../../helpers/backends.js";
import { testRuntime } from "../../helpers/runtime.js";

const actor = cliActor();

/** Issue 16 item 6: the portal speaks to the person ("you"); an admin's preview speaks about them. */
describe("who a sign-in refusal speaks to", () => {
  let rt: Runtime;
  let cleanup: () => Promise<void>;
  let app: App;
  let erin: User;
  const deps = (voice?: "admin") => ({
    store: rt.store,
    keys: rt.signingKeys,
    publicUrl: rt.publicUrl,
    clock: rt.clock,
    ...(voice ? { voice } : {}),
  });
  const refusal = (voice: "admin" | undefined) =>
    buildAwsSignIn(deps(voice), app, erin).then(
      () => "signed in",
      (e: Error) => e.message,
    );

  beforeAll(async () => {
    ({ runtime: rt, cleanup } = await testRuntime(backends[0]!));
    app = await createAppWithKey(rt, actor, { slug: "aws-prod", type: "aws-account-federation", label: "AWS Prod" });
    erin = await rt.directory.users.create(actor, {
      profile: {
        login: "erin@example.com",
        email: "erin@example.com",
        firstName: "E",
        lastName: "R",
        displayName: null,
      },
    });
  });
  afterAll(async () => cleanup?.());

  it("says 'you' to the person and names the person to an admin", async () => {
    expect(await refusal(undefined)).toBe("you are not assigned to AWS Prod");
    expect(await refusal("admin")).toBe("erin@example.com is not assigned to AWS Prod");
    await rt.apps.assign(actor, app.id, "user", erin.id, {});
    expect(await refusal(undefined)).toBe("you have no AWS role in AWS Prod; ask your administrator for access");
    expect(await refusal("admin")).toBe(
      "erin@example.com has no AWS role in AWS Prod: assign them (or a group of theirs) a role",
    );
    erin = await rt.directory.users.transition(actor, erin.id, "suspend");
    expect(await refusal(undefined)).toBe("your account is not active");
    expect(await refusal("admin")).toBe("erin@example.com is not active (SUSPENDED)");
  });
});
