import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliActor } from "../../../src/core/audit.js";
import { DomainError } from "../../../src/core/errors.js";
import type { Runtime } from "../../../src/runtime.js";
import { backends } from "../../helpers/backends.js";
import { testRuntime } from "../../helpers/runtime.js";

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "resolved",
    (e: unknown) => (e instanceof DomainError ? e.code : String(e)),
  );

describe.each(backends)("a sealed secret follows its URL on $name", (backend) => {
  let runtime: Runtime;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ runtime, cleanup } = await testRuntime(backend));
  });
  afterAll(async () => cleanup?.());

  it("forgets the SCIM token when the provisioning app's baseUrl changes, and logs it", async () => {
    const app = await runtime.apps.create(cliActor(), {
      slug: "sso",
      type: "aws-iam-identity-center",
      label: "SSO",
      settings: { baseUrl: "https://scim.us-east-1.amazonaws.com/abc/scim/v2" },
    });
    await runtime.provisioning.setToken(cliActor(), "sso", "a-sealed-scim-token");
    await runtime.apps.update(cliActor(), "sso", { label: "SSO renamed" });
    expect(await runtime.store.appSecrets.get(app.id, "scim_token")).not.toBeNull();
    await runtime.apps.update(cliActor(), "sso", { settings: { baseUrl: "https://listener.example/scim/v2" } });
    expect(await runtime.store.appSecrets.get(app.id, "scim_token")).toBeNull();
    expect(await codeOf(runtime.provisioning.testCredentials("sso"))).toBe("conflict");
    const log = await runtime.store.log.list({ action: "application.lifecycle.update" }, { limit: 5 });
    expect(log.items[0]?.summary).toMatchObject({ secretsCleared: ["scim_token"] });
  });

  it("forgets the IAM secret key when legacy API mode's endpoint changes", async () => {
    const app = await runtime.apps.create(cliActor(), {
      slug: "aws-api",
      type: "aws-account-federation",
      label: "AWS",
      settings: { api: { enabled: true } },
    });
    await runtime.legacyApi.setCredentials(cliActor(), "aws-api", {
      accessKeyId: "AKIAIOSFODNN7EXAMPLE",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    });
    await runtime.apps.update(cliActor(), "aws-api", {
      settings: { api: { endpointUrl: "https://listener.example" } },
    });
    expect(await runtime.store.appSecrets.get(app.id, "aws_secret_access_key")).toBeNull();
  });
});

describe("production refuses plain http for URLs that carry secrets or assertions", () => {
  let runtime: Runtime;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ runtime, cleanup } = await testRuntime(backends[0]!, {
      env: "production",
      publicUrl: "https://idp.example.com",
    }));
  });
  afterAll(async () => cleanup?.());

  it("refuses http:// baseUrl, endpointUrl, signinEndpointUrl and acsUrl unless loopback", async () => {
    const create = (slug: string, type: "aws-iam-identity-center" | "aws-account-federation", settings: object) =>
      codeOf(
        runtime.apps.create(cliActor(), { slug, type, label: slug, settings: settings as Record<string, unknown> }),
      );
    expect(await create("ic-http", "aws-iam-identity-center", { baseUrl: "http://scim.example/scim/v2" })).toBe(
      "validation_failed",
    );
    expect(await create("ic-loop", "aws-iam-identity-center", { baseUrl: "http://127.0.0.1:9/scim/v2" })).toBe(
      "resolved",
    );
    expect(await create("aws-ep", "aws-account-federation", { api: { endpointUrl: "http://aws.example" } })).toBe(
      "validation_failed",
    );
    expect(await create("aws-acs", "aws-account-federation", { acsUrl: "http://signin.example/saml" })).toBe(
      "validation_failed",
    );
    expect(
      await create("aws-signin", "aws-account-federation", { signinEndpointUrl: "http://signin.example/saml" }),
    ).toBe("validation_failed");
    expect(await create("aws-local", "aws-account-federation", { acsUrl: "http://localhost:8081/saml" })).toBe(
      "resolved",
    );
  });
});
