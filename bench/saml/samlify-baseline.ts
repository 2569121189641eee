import * as samlifyModule from "samlify";
import type { RolePairValue } from "../../src/core/saml/index.js";

/**
 * samlify building the same IdP-initiated AWS Response (same key, same attributes, assertion and
 * message signed with RSA-SHA256), the way its docs show: a login response template filled by a
 * custom tag replacement callback.
 */
export interface SamlifyBaseline {
  createResponse(): Promise<string>;
}

// samlify is CommonJS with getter exports Node's ESM loader cannot see by name; use the whole module.
const samlify = (samlifyModule as unknown as { default?: typeof samlifyModule }).default ?? samlifyModule;

const RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
const ACS = "https://signin.aws.amazon.com/saml";

function attributeStatement(roles: readonly RolePairValue[], sessionName: string): string {
  const attribute = (name: string, values: string[]) =>
    `<saml:Attribute Name="${name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">${values
      .map((v) => `<saml:AttributeValue xsi:type="xs:string">${v}</saml:AttributeValue>`)
      .join("")}</saml:Attribute>`;
  return (
    "<saml:AttributeStatement>" +
    attribute(
      "https://aws.amazon.com/SAML/Attributes/Role",
      roles.map((r) => `${r.roleArn},${r.providerArn}`),
    ) +
    attribute("https://aws.amazon.com/SAML/Attributes/RoleSessionName", [sessionName]) +
    attribute("https://aws.amazon.com/SAML/Attributes/SessionDuration", ["3600"]) +
    "</saml:AttributeStatement>"
  );
}

export function samlifyBaseline(options: {
  privateKeyPem: string;
  certificatePem: string;
  issuer: string;
  nameId: string;
  roles: readonly RolePairValue[];
  roleSessionName: string;
}): SamlifyBaseline {
  samlify.setSchemaValidator({ validate: () => Promise.resolve("skipped") });
  const idp = samlify.IdentityProvider({
    entityID: options.issuer,
    privateKey: options.privateKeyPem,
    signingCert: options.certificatePem,
    requestSignatureAlgorithm: RSA_SHA256,
    nameIDFormat: ["urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"],
    singleSignOnService: [{ Binding: POST, Location: "https://idp.example.com/saml/sso" }],
    singleLogoutService: [{ Binding: POST, Location: "https://idp.example.com/saml/slo" }],
  });
  const sp = samlify.ServiceProvider({
    entityID: "urn:amazon:webservices",
    assertionConsumerService: [{ Binding: POST, Location: ACS }],
    wantAssertionsSigned: true,
    wantMessageSigned: true,
  });
  const template = samlify.SamlLib.defaultLoginResponseTemplate.context;
  let counter = 0;

  return {
    async createResponse() {
      const now = new Date();
      const later = new Date(now.getTime() + 300_000).toISOString();
      const id = `_samlify${++counter}`;
      const authn =
        `<saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="${id}"><saml:AuthnContext>` +
        "<saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef>" +
        "</saml:AuthnContext></saml:AuthnStatement>";
      const withStatements = template
        .replace("{AuthnStatement}", authn)
        .replace("{AttributeStatement}", attributeStatement(options.roles, options.roleSessionName));
      // IdP-initiated: there is no AuthnRequest to answer. The callback receives samlify's default
      // template; we hand back the same template with the AWS statements filled in.
      const noRequest = { extract: {} } as unknown as Parameters<typeof idp.createLoginResponse>[1];
      const result = await idp.createLoginResponse(sp, noRequest, "post", { email: options.nameId }, () => ({
        id,
        context: samlify.SamlLib.replaceTagsByValue(withStatements, {
          ID: id,
          AssertionID: `${id}a`,
          Destination: ACS,
          Audience: "urn:amazon:webservices",
          SubjectRecipient: ACS,
          Issuer: options.issuer,
          IssueInstant: now.toISOString(),
          StatusCode: "urn:oasis:names:tc:SAML:2.0:status:Success",
          ConditionsNotBefore: now.toISOString(),
          ConditionsNotOnOrAfter: later,
          SubjectConfirmationDataNotOnOrAfter: later,
          NameIDFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
          NameID: options.nameId,
          InResponseTo: undefined as unknown as string,
        }),
      }));
      return (result as { context: string }).context;
    },
  };
}
