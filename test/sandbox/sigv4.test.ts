import { ListAccountsCommand } from "@aws-sdk/client-organizations";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxHandle } from "../../src/sandbox/index.js";
import { API_USER, clients, demoSandbox, failure, post, signedRequest } from "./helpers/sandbox.js";

let sandbox: SandboxHandle;
beforeAll(async () => {
  sandbox = await demoSandbox();
});
afterAll(() => sandbox.close());

const callerIdentity = "Action=GetCallerIdentity&Version=2011-06-15";

describe("SigV4 verification", () => {
  it("accepts a correctly signed call and answers as STS does", async () => {
    const headers = await signedRequest(sandbox, { service: "sts", body: callerIdentity });
    const response = await post(sandbox, headers, callerIdentity);
    expect(response.status).toBe(200);
    expect(response.contentType).toContain("text/xml");
    expect(response.text).toContain('<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">');
    expect(response.text).toMatch(/<ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata>/);
  });

  it("answers InvalidClientTokenId for an unknown access key", async () => {
    const { sts } = clients(sandbox, {
      accessKeyId: "AKIAUNKNOWNKEY000000",
      secretAccessKey: API_USER.secretAccessKey,
    });
    expect(await failure(sts.send(new GetCallerIdentityCommand({})))).toEqual({
      name: "InvalidClientTokenId",
      message: "The security token included in the request is invalid.",
      status: 403,
    });
  });

  it("answers SignatureDoesNotMatch for a wrong secret", async () => {
    const { sts } = clients(sandbox, { ...API_USER, secretAccessKey: `${API_USER.secretAccessKey.slice(0, -1)}X` });
    const error = await failure(sts.send(new GetCallerIdentityCommand({})));
    expect(error).toMatchObject({ name: "SignatureDoesNotMatch", status: 403 });
    expect(error.message).toMatch(/^The request signature we calculated does not match the signature you provided/);
  });

  it("rejects a body changed after signing", async () => {
    const headers = await signedRequest(sandbox, { service: "sts", body: callerIdentity });
    const response = await post(sandbox, headers, `${callerIdentity}&Extra=1`);
    expect(response.status).toBe(403);
    expect(response.text).toContain("<Code>SignatureDoesNotMatch</Code>");
  });

  it("rejects a tampered declared payload hash", async () => {
    const headers = await signedRequest(sandbox, {
      service: "sts",
      body: callerIdentity,
      headers: { "x-amz-content-sha256": "0".repeat(64) },
    });
    expect((await post(sandbox, headers, callerIdentity)).text).toContain("<Code>SignatureDoesNotMatch</Code>");
  });

  it("answers 'Signature expired' for a clock more than 15 minutes behind, and 'not yet current' ahead", async () => {
    const past = await signedRequest(sandbox, {
      service: "sts",
      body: callerIdentity,
      signingDate: new Date(Date.now() - 20 * 60_000),
    });
    const behind = await post(sandbox, past, callerIdentity);
    expect(behind.status).toBe(403);
    expect(behind.text).toMatch(
      /<Code>SignatureDoesNotMatch<\/Code><Message>Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)<\/Message>/,
    );
    const future = await signedRequest(sandbox, {
      service: "sts",
      body: callerIdentity,
      signingDate: new Date(Date.now() + 20 * 60_000),
    });
    expect((await post(sandbox, future, callerIdentity)).text).toContain("Signature not yet current");
  });

  it("requires a signature for everything but AssumeRoleWithSAML", async () => {
    const response = await post(sandbox, { "content-type": "application/x-www-form-urlencoded" }, callerIdentity);
    expect(response.status).toBe(403);
    expect(response.text).toContain("<Code>MissingAuthenticationToken</Code>");
  });

  it("refuses a session token that does not belong to the session key", async () => {
    const { sts } = clients(sandbox);
    const { AssumeRoleCommand } = await import("@aws-sdk/client-sts");
    const assumed = await sts.send(
      new AssumeRoleCommand({
        RoleArn: "arn:aws:iam::222233334444:role/Okta-Idp-cross-account-role",
        RoleSessionName: "sync",
      }),
    );
    const forged = clients(sandbox, {
      accessKeyId: assumed.Credentials!.AccessKeyId!,
      secretAccessKey: assumed.Credentials!.SecretAccessKey!,
      sessionToken: `${assumed.Credentials!.SessionToken!}x`,
    });
    expect((await failure(forged.sts.send(new GetCallerIdentityCommand({})))).name).toBe("InvalidClientTokenId");
  });

  it("speaks JSON 1.1 error names to Organizations clients", async () => {
    const { org } = clients(sandbox, { accessKeyId: "AKIAUNKNOWNKEY000000", secretAccessKey: "x".repeat(40) });
    expect(await failure(org.send(new ListAccountsCommand({})))).toMatchObject({
      name: "UnrecognizedClientException",
      message: "The security token included in the request is invalid.",
    });
    const wrong = clients(sandbox, { ...API_USER, secretAccessKey: "y".repeat(40) });
    expect((await failure(wrong.org.send(new ListAccountsCommand({})))).name).toBe("InvalidSignatureException");
  });
});

describe("protocol errors", () => {
  it("answers InvalidAction for an operation the sandbox does not emulate", async () => {
    const body = "Action=ListGroups&Version=2010-05-08";
    const response = await post(sandbox, await signedRequest(sandbox, { service: "iam", body }), body);
    expect(response.status).toBe(400);
    expect(response.text).toContain('<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">');
    expect(response.text).toContain(
      "<Type>Sender</Type><Code>InvalidAction</Code><Message>Could not find operation ListGroups for version 2010-05-08</Message>",
    );
  });

  it("answers UnknownOperationException and SerializationException over JSON 1.1", async () => {
    const unknown = await signedRequest(sandbox, {
      service: "organizations",
      body: "{}",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AWSOrganizationsV20161128.CreateAccount",
      },
    });
    const response = await post(sandbox, unknown, "{}");
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text)).toMatchObject({ __type: "UnknownOperationException" });
    const malformed = await signedRequest(sandbox, {
      service: "organizations",
      body: "{not json",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AWSOrganizationsV20161128.ListAccounts",
      },
    });
    expect(JSON.parse((await post(sandbox, malformed, "{not json")).text)).toMatchObject({
      __type: "SerializationException",
    });
  });

  it("refuses an oversize body with 413 in the protocol's error shape", async () => {
    const body = `Action=GetCallerIdentity&Version=2011-06-15&Pad=${"a".repeat(12 * 1024 * 1024)}`;
    const response = await post(sandbox, { "content-type": "application/x-www-form-urlencoded" }, body);
    expect(response.status).toBe(413);
    expect(response.text).toContain("<Code>RequestEntityTooLarge</Code>");
  });
});
