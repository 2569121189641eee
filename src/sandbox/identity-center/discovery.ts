import { notFound } from "./errors.js";
import { GROUP_SCHEMA } from "./groups.js";
import { ENTERPRISE_SCHEMA, USER_SCHEMA } from "./users.js";

/** What Identity Center advertises: PATCH yes; bulk, sort, ETags and password changes no; filters up to 100. */
export const serviceProviderConfig = () => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
  documentationUri: "https://docs.aws.amazon.com/singlesignon/latest/userguide/manage-your-identity-source-idp.html",
  authenticationSchemes: [
    {
      type: "oauthbearertoken",
      name: "OAuth Bearer Token",
      description: "Authentication scheme using the OAuth Bearer Token Standard",
      specUri: "https://www.rfc-editor.org/info/rfc6750",
      documentationUri:
        "https://docs.aws.amazon.com/singlesignon/latest/userguide/provision-automatically.html#how-to-with-scim",
      primary: true,
    },
  ],
  patch: { supported: true },
  bulk: { supported: false, maxOperations: 1, maxPayloadSize: 1048576 },
  filter: { supported: true, maxResults: 100 },
  // RFC 9865 asks a provider with cursor paging to advertise it; startIndex is ignored, so no index paging.
  pagination: { cursor: true, index: false, defaultPageSize: 100, maxPageSize: 100 },
  changePassword: { supported: false },
  sort: { supported: false },
  etag: { supported: false },
});

const attribute = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  type: "string",
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: "readWrite",
  returned: "default",
  uniqueness: "none",
  ...extra,
});

const sub = (name: string, names: string[], extra: Record<string, unknown> = {}) =>
  attribute(name, { type: "complex", subAttributes: names.map((n) => attribute(n)), ...extra });

const SCHEMAS = [
  {
    id: USER_SCHEMA,
    name: "User",
    description: "User Account",
    attributes: [
      attribute("userName", { required: true, uniqueness: "server" }),
      sub("name", ["formatted", "familyName", "givenName", "middleName", "honorificPrefix", "honorificSuffix"], {
        required: true,
      }),
      attribute("displayName", { required: true }),
      ...["nickName", "profileUrl", "title", "userType", "preferredLanguage", "locale", "timezone"].map((n) =>
        attribute(n),
      ),
      attribute("active", { type: "boolean" }),
      sub("emails", ["value", "type", "primary"], { multiValued: true }),
      sub(
        "addresses",
        ["formatted", "streetAddress", "locality", "region", "postalCode", "country", "type", "primary"],
        {
          multiValued: true,
        },
      ),
      sub("phoneNumbers", ["value", "type", "primary"], { multiValued: true }),
      sub("roles", ["value", "type", "primary"], { multiValued: true }),
    ],
  },
  {
    id: GROUP_SCHEMA,
    name: "Group",
    description: "Group",
    attributes: [
      attribute("displayName", { required: true, uniqueness: "server" }),
      sub("members", ["value", "$ref", "type"], { multiValued: true }),
    ],
  },
  {
    id: ENTERPRISE_SCHEMA,
    name: "EnterpriseUser",
    description: "Enterprise User",
    attributes: [
      ...["employeeNumber", "costCenter", "organization", "division", "department"].map((n) => attribute(n)),
      sub("manager", ["value", "$ref"]),
    ],
  },
].map((s) => ({ ...s, schemas: ["urn:ietf:params:scim:schemas:core:2.0:Schema"], meta: { resourceType: "Schema" } }));

export const schemas = () => ({
  totalResults: SCHEMAS.length,
  itemsPerPage: SCHEMAS.length,
  startIndex: 1,
  schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
  Resources: SCHEMAS,
});

export function schemaById(id: string) {
  const found = SCHEMAS.find((s) => s.id === id);
  if (!found) throw notFound(`Schema not found: ${id}`);
  return found;
}

export const resourceTypes = () => {
  const types = [
    {
      id: "User",
      name: "User",
      endpoint: "/Users",
      description: "User Account",
      schema: USER_SCHEMA,
      schemaExtensions: [{ schema: ENTERPRISE_SCHEMA, required: false }],
    },
    { id: "Group", name: "Group", endpoint: "/Groups", description: "Group", schema: GROUP_SCHEMA },
  ].map((t) => ({ ...t, schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"] }));
  return {
    totalResults: types.length,
    itemsPerPage: types.length,
    startIndex: 1,
    schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
    Resources: types,
  };
};
