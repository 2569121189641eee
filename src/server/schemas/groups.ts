import { Type } from "@sinclair/typebox";
import type { Group } from "../../core/directory/model.js";
import { Nullable, pageQuery, Timestamp } from "./common.js";

const Name = Type.String({ minLength: 1, maxLength: 255 });
const Description = Nullable(Type.String({ maxLength: 1024 }));
const Source = Type.String({
  minLength: 1,
  maxLength: 130,
  description: "Where the group comes from: local, active_directory, ldap, csv:<name>",
});
const ExternalId = Nullable(Type.String({ minLength: 1, maxLength: 512 }));

export const GroupOut = Type.Object(
  {
    id: Type.String(),
    created: Timestamp,
    lastUpdated: Timestamp,
    lastMembershipUpdated: Timestamp,
    source: Type.String(),
    externalId: Nullable(Type.String()),
    version: Type.Integer(),
    profile: Type.Object(
      { name: Type.String(), description: Nullable(Type.String()) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, title: "Group" },
);

const ProfileIn = Type.Object({ name: Name, description: Type.Optional(Description) }, { additionalProperties: false });

export const CreateGroupBody = Type.Object(
  { profile: ProfileIn, source: Type.Optional(Source), externalId: Type.Optional(ExternalId) },
  { additionalProperties: false },
);

/** The source is part of a group's identity and cannot change; everything else is replaced. */
export const ReplaceGroupBody = Type.Object(
  { profile: ProfileIn, externalId: Type.Optional(ExternalId) },
  { additionalProperties: false },
);

export const ListGroupsQuery = Type.Object(
  {
    ...pageQuery(200, 200),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: "Exact name" })),
    source: Type.Optional(Source),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: "Prefix of the name" })),
  },
  { additionalProperties: false },
);

export const MembersQuery = Type.Object(pageQuery(200, 200), { additionalProperties: false });

export const MemberParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 200 }), userId: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

/** Okta nests the name and description under `profile`; the core keeps them flat. */
export function toGroupOut(g: Group) {
  return {
    id: g.id,
    created: g.created,
    lastUpdated: g.lastUpdated,
    lastMembershipUpdated: g.lastMembershipUpdated,
    source: g.source,
    externalId: g.externalId,
    version: g.version,
    profile: { name: g.name, description: g.description },
  };
}
