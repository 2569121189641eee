import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  importTemplate,
  perAccountTemplate,
  renderTemplate,
  resourcesToImport,
  type SamlTarget,
  stackSetTemplate,
} from "../../../../src/core/migration/aws-saml/index.js";
import { idpMetadata } from "../../../sandbox/helpers/saml.js";

/** A template as plain JSON data, for reading nested members in assertions. */
const asJson = (value: unknown) => JSON.parse(JSON.stringify(value));
const ACS = "https://signin.aws.amazon.com/saml";
const target: SamlTarget = { providerName: "rolebridge-groups", metadata: idpMetadata(), acsUrls: [ACS] };
const existing = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "Okta",
      Effect: "Allow",
      Principal: { Federated: "arn:aws:iam::222233334444:saml-provider/okta" },
      Action: "sts:AssumeRoleWithSAML",
    },
    // An older statement of ours (another ACS): replaced, never duplicated.
    {
      Sid: "RolebridgeSamlrolebridgegroups",
      Effect: "Allow",
      Principal: { Federated: "x" },
      Action: "sts:AssumeRoleWithSAML",
    },
  ],
});

describe("CloudFormation templates for the SAML setup", () => {
  it("declares the provider and each role with its kept statements plus ours, retained on delete", () => {
    const t = perAccountTemplate(target, [
      { name: "Admin", trustPolicy: existing },
      { name: "Tier1_Support", path: "/support/" },
    ]);
    const resources = asJson(t.Resources);
    expect(Object.keys(resources)).toEqual(["SamlProvider", "RoleAdmin", "RolesupportTier1Support"]);
    expect(resources.SamlProvider.Properties).toEqual({
      Name: "rolebridge-groups",
      SamlMetadataDocument: target.metadata,
    });
    const admin = resources.RoleAdmin;
    expect(admin.DeletionPolicy).toBe("Retain");
    expect(admin.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      JSON.parse(existing).Statement[0],
      {
        Sid: "RolebridgeSamlrolebridgegroups",
        Effect: "Allow",
        Principal: { Federated: { Ref: "SamlProvider" } },
        Action: "sts:AssumeRoleWithSAML",
        Condition: { StringEquals: { "SAML:aud": ACS } },
      },
    ]);
    expect(resources.RolesupportTier1Support.Properties.Path).toBe("/support/");
  });

  it("guards a template planned for one account with a Rules assertion on AWS::AccountId, and checks the id", () => {
    const t = perAccountTemplate(target, [{ name: "Admin" }], "222233334444");
    expect(t.Rules).toEqual({
      PlannedAccountOnly: {
        Assertions: [
          expect.objectContaining({ Assert: { "Fn::Equals": [{ Ref: "AWS::AccountId" }, "222233334444"] } }),
        ],
      },
    });
    expect(perAccountTemplate(target, [{ name: "Admin" }]).Rules).toBeUndefined();
    expect(() => perAccountTemplate(target, [{ name: "Admin" }], "2222")).toThrow(/12-digit/);
  });

  it("renders YAML that a YAML 1.1 reader keeps as strings and that equals the JSON", () => {
    const t = perAccountTemplate(target, [{ name: "Admin" }], "222233334444");
    const yaml = renderTemplate(t, "yaml");
    expect(yaml).toContain('AWSTemplateFormatVersion: "2010-09-09"');
    expect(yaml).toContain('Version: "2012-10-17"');
    expect(parse(yaml)).toEqual(JSON.parse(renderTemplate(t, "json")));
    expect(parse(yaml, { version: "1.1" })).toEqual(JSON.parse(renderTemplate(t, "json")));
  });

  it("gives two roles whose squeezed names collide different logical ids, and refuses bad role lists", () => {
    const t = perAccountTemplate(target, [{ name: "Read.Only" }, { name: "ReadOnly" }]);
    expect(Object.keys(t.Resources as object)).toEqual(["SamlProvider", "RoleReadOnly", "RoleReadOnly2"]);
    expect(() => perAccountTemplate(target, [{ name: "bad name" }])).toThrow(/not a valid IAM role name/);
    expect(() => perAccountTemplate(target, [{ name: "Admin" }, { name: "admin" }])).toThrow(/listed twice/);
  });

  it("makes the import step from the roles as they are, with matching logical ids", () => {
    const roles = [{ name: "Admin", trustPolicy: existing }];
    const t = importTemplate(roles);
    expect(asJson(t.Resources).RoleAdmin.Properties.AssumeRolePolicyDocument).toEqual(JSON.parse(existing));
    expect(resourcesToImport(roles)).toEqual([
      { ResourceType: "AWS::IAM::Role", LogicalResourceId: "RoleAdmin", ResourceIdentifier: { RoleName: "Admin" } },
    ]);
    expect(() => importTemplate([{ name: "New" }])).toThrow(/needs the role's current trust policy/);
  });

  it("parameterizes the StackSet template and expands roles with Fn::ForEach", () => {
    const t = asJson(stackSetTemplate({ providerName: "rb", acsUrl: ACS }));
    expect(Object.keys(t.Parameters)).toEqual(["MetadataDocument", "ProviderName", "AcsUrl", "RoleNames"]);
    expect(t.Parameters.ProviderName.Default).toBe("rb");
    expect(t.Parameters.RoleNames.Type).toBe("CommaDelimitedList");
    expect(t.Transform).toBe("AWS::LanguageExtensions");
    const [identifier, collection, fragment] = t.Resources["Fn::ForEach::FederatedRoles"];
    expect([identifier, collection, Object.keys(fragment)]).toEqual([
      "RoleName",
      { Ref: "RoleNames" },
      ["Role&{RoleName}"],
    ]);
  });
});
