import { describe, expect, it } from "vitest";
import {
  AWS_MAX_SAML_RESPONSE_BASE64,
  buildSignedResponse,
  estimateResponseBase64Length,
  maxRolesWithinLimit,
  SamlResponseTooLargeError,
  usersAtSizeRisk,
} from "../../../src/core/saml/index.js";
import { baseOptions, testKey } from "./helpers.js";

function roles(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const account = String(100_000_000_000 + i);
    return {
      roleArn: `arn:aws:iam::${account}:role/${"R".repeat(32)}`,
      providerArn: `arn:aws:iam::${account}:saml-provider/${"P".repeat(16)}`,
    };
  });
}

describe("response size guard", () => {
  it("documents AWS's AssumeRoleWithSAML limit", () => {
    expect(AWS_MAX_SAML_RESPONSE_BASE64).toBe(100_000);
  });

  it("estimates exactly the size a real signed response has", async () => {
    const key = await testKey();
    const options = baseOptions({ roles: roles(40) });
    const real = buildSignedResponse(key.signer, options);
    const estimate = estimateResponseBase64Length(
      40,
      {
        ...options,
        certificateBase64Length: key.signer.certificateBase64.length,
      },
      options.roles,
    );
    expect(estimate).toBe(real.base64.length);
    const synthetic = estimateResponseBase64Length(40, {
      certificateBase64Length: key.signer.certificateBase64.length,
      ...options,
    });
    expect(synthetic).toBe(real.base64.length);
  });

  it("refuses a response over the limit, naming the role count", async () => {
    const key = await testKey();
    const max = maxRolesWithinLimit({ certificateBase64Length: key.signer.certificateBase64.length, ...baseOptions() });
    expect(max).toBeGreaterThan(100);
    expect(max).toBeLessThan(2000);
    expect(buildSignedResponse(key.signer, baseOptions({ roles: roles(max) })).base64.length).toBeLessThanOrEqual(
      AWS_MAX_SAML_RESPONSE_BASE64,
    );
    try {
      buildSignedResponse(key.signer, baseOptions({ roles: roles(max + 1) }));
      expect.unreachable("should have thrown");
    } catch (error) {
      expect(error).toBeInstanceOf(SamlResponseTooLargeError);
      const tooLarge = error as SamlResponseTooLargeError;
      expect(tooLarge.code).toBe("saml_response_too_large");
      expect(tooLarge.roleCount).toBe(max + 1);
      expect(tooLarge.base64Length).toBeGreaterThan(AWS_MAX_SAML_RESPONSE_BASE64);
      expect(tooLarge.message).toContain(`${max + 1} roles`);
    }
  });

  it("lists users at risk, largest first", () => {
    const max = maxRolesWithinLimit();
    const risks = usersAtSizeRisk([
      { userId: "small", roles: roles(3) },
      { userId: "over", roles: roles(max + 5) },
      { userId: "near", roles: roles(max - 2) },
    ]);
    expect(risks.map((r) => r.userId)).toEqual(["over", "near"]);
    expect(risks[0]?.ratio).toBeGreaterThan(1);
    expect(risks[1]?.ratio).toBeLessThanOrEqual(1);
    expect(risks[1]?.roleCount).toBe(max - 2);
  });

  it("honours a custom limit", async () => {
    const key = await testKey();
    expect(() => buildSignedResponse(key.signer, baseOptions({ maxBase64Length: 1000 }))).toThrow(
      SamlResponseTooLargeError,
    );
  });
});
