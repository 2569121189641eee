import { type Static, Type } from "@sinclair/typebox";

const AccountId = Type.String({ pattern: "^\\d{12}$" });
const Path = Type.String({ pattern: "^/(?:[\\x21-\\x7E]*/)?$", maxLength: 512 });
const RoleName = Type.String({ pattern: "^[\\w+=,.@-]{1,64}$" });
const PolicyDocument = Type.Object({ Version: Type.Optional(Type.String()), Statement: Type.Unknown() });
const NamedDocuments = Type.Record(Type.String({ pattern: "^[\\w+=,.@-]{1,128}$" }), PolicyDocument);
const PolicyArn = Type.String({ pattern: "^arn:aws:iam::(?:aws|\\d{12}):policy/" });

/** The declarative fixture that seeds a fresh sandbox. Lists are flat and name their account explicitly. */
export const FixtureSchema = Type.Object(
  {
    organization: Type.Object(
      { id: Type.String({ pattern: "^o-[a-z0-9]{10,32}$" }), managementAccountId: AccountId },
      { additionalProperties: false },
    ),
    accounts: Type.Array(
      Type.Object(
        {
          id: AccountId,
          name: Type.String({ minLength: 1, maxLength: 50 }),
          email: Type.String({ pattern: "^[^\\s@]+@[^\\s@]+$" }),
          alias: Type.Optional(Type.String({ pattern: "^[a-z0-9](?:[a-z0-9]|-(?!-)){1,61}[a-z0-9]$" })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
    managedPolicies: Type.Optional(
      Type.Array(
        Type.Object(
          {
            accountId: Type.Union([Type.Literal("aws"), AccountId]),
            name: Type.String({ pattern: "^[\\w+=,.@-]{1,128}$" }),
            path: Type.Optional(Path),
            description: Type.Optional(Type.String({ maxLength: 1000 })),
            document: PolicyDocument,
          },
          { additionalProperties: false },
        ),
      ),
    ),
    roles: Type.Optional(
      Type.Array(
        Type.Object(
          {
            accountId: AccountId,
            name: RoleName,
            path: Type.Optional(Path),
            description: Type.Optional(Type.String({ maxLength: 1000 })),
            maxSessionDuration: Type.Optional(Type.Integer({ minimum: 3600, maximum: 43200 })),
            trustPolicy: PolicyDocument,
            inlinePolicies: Type.Optional(NamedDocuments),
            attachedPolicies: Type.Optional(Type.Array(PolicyArn)),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    users: Type.Optional(
      Type.Array(
        Type.Object(
          {
            accountId: AccountId,
            name: Type.String({ pattern: "^[\\w+=,.@-]{1,64}$" }),
            path: Type.Optional(Path),
            accessKeys: Type.Optional(
              Type.Array(
                Type.Object(
                  {
                    accessKeyId: Type.String({ pattern: "^AKIA[A-Z0-9]{16}$" }),
                    secretAccessKey: Type.String({ minLength: 40, maxLength: 40 }),
                  },
                  { additionalProperties: false },
                ),
              ),
            ),
            inlinePolicies: Type.Optional(NamedDocuments),
            attachedPolicies: Type.Optional(Type.Array(PolicyArn)),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    samlProviders: Type.Optional(
      Type.Array(
        Type.Object(
          { accountId: AccountId, name: Type.String({ pattern: "^[\\w.-]{1,128}$" }), metadata: Type.String() },
          { additionalProperties: false },
        ),
      ),
    ),
    identityCenter: Type.Optional(
      Type.Object(
        {
          instances: Type.Array(
            Type.Object(
              {
                tenantId: Type.String({ pattern: "^d-[0-9a-f]{10}$" }),
                region: Type.String({ pattern: "^[a-z]{2}(-gov)?-[a-z]+-\\d$" }),
                /** Bearer tokens in clear text, for documented demo tokens; only their hashes reach the state. */
                scimTokens: Type.Optional(
                  Type.Array(
                    Type.Object(
                      { token: Type.String({ minLength: 20 }), expiresAt: Type.Optional(Type.String()) },
                      { additionalProperties: false },
                    ),
                  ),
                ),
                permissionSets: Type.Optional(
                  Type.Array(
                    Type.Object(
                      {
                        name: Type.String({ pattern: "^[\\w+=,.@-]{1,32}$" }),
                        description: Type.Optional(Type.String({ maxLength: 700 })),
                        sessionDuration: Type.Optional(Type.String({ pattern: "^PT\\d+H$" })),
                      },
                      { additionalProperties: false },
                    ),
                  ),
                ),
                samlMetadata: Type.Optional(Type.String()),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type Fixture = Static<typeof FixtureSchema>;
