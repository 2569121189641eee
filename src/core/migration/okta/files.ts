/**
 * An Okta org's export of an AWS Account Federation app, as files of Okta's API responses. Only the fields
 * the import relies on are checked (fixtures/okta-export/README.md lists them); others are kept and ignored.
 * Every problem is reported with its file and JSON path; a file with problems imports nothing.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Static, type TSchema, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { type FieldError, validationFailed } from "../../errors.js";

const Open = { additionalProperties: true } as const;
const Roles = Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()]));
const Profile = Type.Optional(
  Type.Object({ samlRoles: Roles, role: Type.Optional(Type.Union([Type.String(), Type.Null()])) }, Open),
);

export const OktaAppSchema = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    name: Type.String(),
    label: Type.String({ minLength: 1 }),
    status: Type.Union([Type.Literal("ACTIVE"), Type.Literal("INACTIVE")]),
    settings: Type.Object(
      {
        app: Type.Object(
          {
            awsEnvironmentType: Type.Optional(Type.String()),
            identityProviderArn: Type.Optional(Type.Union([Type.String(), Type.Null()])),
            joinAllRoles: Type.Optional(Type.Boolean()),
            sessionDuration: Type.Optional(Type.Integer()),
            useGroupMapping: Type.Optional(Type.Boolean()),
          },
          Open,
        ),
      },
      Open,
    ),
  },
  Open,
);

export const OktaAppUserSchema = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    scope: Type.Union([Type.Literal("USER"), Type.Literal("GROUP")]),
    credentials: Type.Optional(Type.Object({ userName: Type.Optional(Type.String()) }, Open)),
    profile: Profile,
  },
  Open,
);

export const OktaAppGroupSchema = Type.Object(
  { id: Type.String({ minLength: 1 }), priority: Type.Optional(Type.Integer({ minimum: 0 })), profile: Profile },
  Open,
);

export const OktaUserSchema = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    status: Type.String(),
    profile: Type.Object(
      {
        login: Type.String({ minLength: 1 }),
        email: Type.String({ minLength: 1 }),
        firstName: Type.Optional(Type.Union([Type.String(), Type.Null()])),
        lastName: Type.Optional(Type.Union([Type.String(), Type.Null()])),
      },
      Open,
    ),
  },
  Open,
);

export const OktaGroupSchema = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    type: Type.String(),
    profile: Type.Object(
      { name: Type.String({ minLength: 1 }), description: Type.Optional(Type.Union([Type.String(), Type.Null()])) },
      Open,
    ),
  },
  Open,
);

/** Group member lists come as user objects; only the id counts. */
const MemberSchema = Type.Object({ id: Type.String({ minLength: 1 }) }, Open);

export interface OktaExport {
  app: Static<typeof OktaAppSchema>;
  appUsers: Static<typeof OktaAppUserSchema>[];
  appGroups: Static<typeof OktaAppGroupSchema>[];
  users: Static<typeof OktaUserSchema>[];
  groups: Static<typeof OktaGroupSchema>[];
  /** Okta group id -> member user ids. */
  members: Record<string, string[]>;
}

/** One JSON value, or several arrays one after another (the pages of a listing, saved as they came). */
export function parsePages(text: string): unknown {
  const trimmed = text.trim();
  try {
    return JSON.parse(trimmed);
  } catch (first) {
    const pages: unknown[] = [];
    let depth = 0;
    let start = -1;
    let inString = false;
    for (let i = 0; i < trimmed.length; i++) {
      const ch = trimmed[i];
      if (inString) {
        if (ch === "\\") i++;
        else if (ch === '"') inString = false;
      } else if (ch === '"') inString = true;
      else if (ch === "[" || ch === "{") {
        if (depth++ === 0) start = i;
      } else if (ch === "]" || ch === "}") {
        if (--depth === 0) pages.push(JSON.parse(trimmed.slice(start, i + 1)));
      } else if (depth === 0 && !/\s/.test(ch ?? "")) throw first;
    }
    if (depth !== 0 || pages.length < 2 || !pages.every(Array.isArray)) throw first;
    return (pages as unknown[][]).flat();
  }
}

/** The export's layout: one file per listing, and one member list per group. */
export const EXPORT_FILES = {
  app: "app.json",
  appUsers: "app-users.json",
  appGroups: "app-groups.json",
  users: "users.json",
  groups: "groups.json",
  members: "group-members",
} as const;

function readJson(dir: string, file: string, errors: FieldError[]): unknown {
  const path = join(dir, file);
  if (!existsSync(path)) {
    errors.push({ path: file, message: "is missing" });
    return undefined;
  }
  try {
    return parsePages(readFileSync(path, "utf8"));
  } catch (err) {
    errors.push({ path: file, message: `is not JSON: ${(err as Error).message}` });
    return undefined;
  }
}

function checkedOne<T extends TSchema>(
  schema: T,
  value: unknown,
  file: string,
  errors: FieldError[],
): Static<T> | undefined {
  if (value === undefined) return undefined;
  const found = [...Value.Errors(schema, value)].slice(0, 10);
  for (const e of found) errors.push({ path: `${file}${e.path || "/"}`, message: e.message });
  return found.length ? undefined : (value as Static<T>);
}

function checkedList<T extends TSchema>(
  schema: T,
  value: unknown,
  file: string,
  errors: FieldError[],
): Static<T>[] | undefined {
  return checkedOne(Type.Array(schema), value, file, errors) as Static<T>[] | undefined;
}

/** Reads and checks every file; refuses the whole export, naming each bad file and field, when any is wrong. */
export function readOktaExport(dir: string): OktaExport {
  const errors: FieldError[] = [];
  if (!existsSync(dir))
    throw validationFailed(`the Okta export ${dir} does not exist`, [{ path: dir, message: "is missing" }]);
  const app = checkedOne(OktaAppSchema, readJson(dir, EXPORT_FILES.app, errors), EXPORT_FILES.app, errors);
  if (app && app.name !== "amazon_aws")
    errors.push({
      path: `${EXPORT_FILES.app}/name`,
      message: `is ${app.name}; only amazon_aws (AWS Account Federation) is imported`,
    });
  const appUsers = checkedList(
    OktaAppUserSchema,
    readJson(dir, EXPORT_FILES.appUsers, errors),
    EXPORT_FILES.appUsers,
    errors,
  );
  const appGroups = checkedList(
    OktaAppGroupSchema,
    readJson(dir, EXPORT_FILES.appGroups, errors),
    EXPORT_FILES.appGroups,
    errors,
  );
  const users = checkedList(OktaUserSchema, readJson(dir, EXPORT_FILES.users, errors), EXPORT_FILES.users, errors);
  const groups = checkedList(OktaGroupSchema, readJson(dir, EXPORT_FILES.groups, errors), EXPORT_FILES.groups, errors);
  const members: Record<string, string[]> = {};
  for (const g of appGroups ?? []) {
    const file = `${EXPORT_FILES.members}/${g.id}.json`;
    const list = checkedList(MemberSchema, readJson(dir, file, errors), file, errors);
    if (list) members[g.id] = list.map((u) => u.id);
  }
  const membersDir = join(dir, EXPORT_FILES.members);
  if (existsSync(membersDir)) {
    for (const f of readdirSync(membersDir).filter((n) => n.endsWith(".json"))) {
      const id = f.slice(0, -5);
      if (members[id] || !(groups ?? []).some((g) => g.id === id)) continue;
      const list = checkedList(
        MemberSchema,
        readJson(dir, `${EXPORT_FILES.members}/${f}`, errors),
        `${EXPORT_FILES.members}/${f}`,
        errors,
      );
      if (list) members[id] = list.map((u) => u.id);
    }
  }
  if (errors.length || !app || !appUsers || !appGroups || !users || !groups)
    throw validationFailed("the Okta export is incomplete or malformed; nothing was imported", errors);
  return { app, appUsers, appGroups, users, groups, members };
}
