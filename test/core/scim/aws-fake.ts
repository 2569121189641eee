import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { AwsError, groupAttr, invalid, matcher, userAttr } from "./aws-fake-filter.js";

/**
 * A small stand-in for IAM Identity Center's SCIM endpoint with the limits that broke real
 * clients: eq-only filters, cursor paging (or the legacy 50-result cap with none), 100 members
 * per group create and per PATCH, no member lists on GET, 409 on duplicates, AWS error bodies.
 * Faults (throttling, 5xx, lost responses) are scripted per request, which the sandbox's
 * rate-based faults cannot do; aws-sandbox.test.ts covers the sandbox itself.
 */
export interface AwsUser {
  id: string;
  externalId?: string;
  userName: string;
  name: { givenName?: string; familyName?: string };
  displayName?: string;
  emails?: { value: string; type?: string; primary?: boolean }[];
  active: boolean;
}
export interface AwsGroup {
  id: string;
  displayName: string;
  externalId?: string;
  members: Set<string>;
}
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Record<string, unknown> | null;
}
/** `drop`: the request is carried out, then the connection is cut before any answer. */
export type Fault = { status: number; retryAfter?: string } | "drop";

export interface AwsFake {
  baseUrl: string;
  token: string;
  requests: FakeRequest[];
  users: Map<string, AwsUser>;
  groups: Map<string, AwsGroup>;
  fault: ((request: FakeRequest) => Fault | undefined) | null;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

export async function startAwsFake(options: { legacyCap?: boolean } = {}): Promise<AwsFake> {
  const users = new Map<string, AwsUser>();
  const groups = new Map<string, AwsGroup>();
  const requests: FakeRequest[] = [];
  const token = "aws-fake-token";
  const prefix = "/tenant-1/scim/v2";

  const fake: AwsFake = { baseUrl: "", token, requests, users, groups, fault: null, close: async () => {} };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const text = await readBody(req);
    const request: FakeRequest = {
      method: req.method ?? "GET",
      path: url.pathname.slice(prefix.length),
      query: url.searchParams,
      body: text ? (JSON.parse(text) as Json) : null,
    };
    requests.push(request);
    try {
      if (req.headers.authorization !== `Bearer ${token}`) throw new AwsError(401, "Unauthorized");
      const fault = fake.fault?.(request);
      if (fault && fault !== "drop") {
        if (fault.retryAfter) res.setHeader("retry-after", fault.retryAfter);
        throw new AwsError(fault.status, fault.status === 429 ? "Throttling" : "InternalServer");
      }
      const [status, body] = route(request);
      if (fault === "drop") {
        res.socket?.destroy();
        return;
      }
      send(res, status, body);
    } catch (error) {
      const status = error instanceof AwsError ? error.status : 500;
      send(res, status, {
        schema: ["urn:ietf:params:scim:api:messages:2.0:Error"],
        schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
        detail: error instanceof Error ? error.message : String(error),
        status: String(status),
        exceptionRequestId: randomUUID(),
        timeStamp: "2026-01-01 00:00:00.000",
      });
    }
  });

  function route(r: FakeRequest): [number, Json | null] {
    const [, kind, id] = r.path.split("/");
    const body = r.body ?? {};
    if (kind === "Users" && !id && r.method === "GET") return [200, list([...users.values()], r.query, userAttr)];
    if (kind === "Users" && !id && r.method === "POST") return [201, userJson(createUser(body))];
    if (kind === "Groups" && !id && r.method === "GET") return [200, list([...groups.values()], r.query, groupAttr)];
    if (kind === "Groups" && !id && r.method === "POST") return [201, groupJson(createGroup(body))];
    if (kind === "Users" && id) {
      const user = users.get(id);
      if (!user) throw new AwsError(404, "Resource not found");
      if (r.method === "GET") return [200, userJson(user)];
      if (r.method === "DELETE") return users.delete(id) ? [204, null] : [404, null];
      if (r.method === "PUT") return [200, userJson(Object.assign(user, checkUser(body, id)))];
      if (r.method === "PATCH") return [200, userJson(patchUser(user, operations(body)))];
    }
    if (kind === "Groups" && id) {
      const group = groups.get(id);
      if (!group) throw new AwsError(404, "Resource not found");
      if (r.method === "GET") return [200, groupJson(group)];
      if (r.method === "DELETE") return groups.delete(id) ? [204, null] : [404, null];
      if (r.method === "PATCH") return [204, patchGroup(group, operations(body)) && null];
    }
    throw new AwsError(r.method === "PUT" ? 405 : 404, "Unsupported");
  }

  function checkUser(body: Json, id: string): AwsUser {
    const name = (body.name ?? {}) as AwsUser["name"];
    if (!body.userName || !body.displayName || !name.givenName || !name.familyName) throw invalid();
    const emails = body.emails as AwsUser["emails"];
    if (emails && emails.length > 1) throw invalid("list attributes only allow single item");
    const userName = String(body.userName);
    for (const other of users.values()) {
      if (other.id !== id && other.userName.toLowerCase() === userName.toLowerCase())
        throw new AwsError(409, "Duplicate userName");
    }
    return {
      id,
      userName,
      name: { givenName: name.givenName, familyName: name.familyName },
      displayName: String(body.displayName),
      active: body.active !== false,
      ...(body.externalId ? { externalId: String(body.externalId) } : {}),
      ...(emails ? { emails } : {}),
    };
  }

  function createUser(body: Json): AwsUser {
    const user = checkUser(body, randomUUID());
    users.set(user.id, user);
    return user;
  }

  function patchUser(user: AwsUser, ops: Json[]): AwsUser {
    const counts = { userName: 0, active: 0 };
    const next = structuredClone(user);
    for (const op of ops) {
      const path = String(op.path ?? "");
      if (!path) throw invalid("path is required");
      if (path === "userName" || path === "active") {
        if (op.op === "remove" || ++counts[path] > 1) throw invalid();
      }
      const value = op.op === "remove" ? undefined : op.value;
      if (path === "name.givenName") next.name.givenName = value as string;
      else if (path === "name.familyName") next.name.familyName = value as string;
      else if (path === "active") next.active = value === true;
      else if (path === "emails") next.emails = value as AwsUser["emails"];
      else if (path === "userName" || path === "displayName" || path === "externalId") next[path] = value as string;
      else throw invalid(`unsupported path ${path}`);
    }
    Object.assign(user, checkUser({ ...next } as unknown as Json, user.id));
    return user;
  }

  function createGroup(body: Json): AwsGroup {
    const displayName = String(body.displayName ?? "");
    if (!displayName) throw invalid();
    if ([...groups.values()].some((g) => g.displayName === displayName))
      throw new AwsError(409, "Group already exists");
    const members = ((body.members ?? []) as { value: string }[]).map((m) => m.value);
    if (members.length > 100) throw invalid("Too many members in a create");
    const group: AwsGroup = { id: randomUUID(), displayName, members: new Set(members) };
    if (body.externalId) group.externalId = String(body.externalId);
    groups.set(group.id, group);
    return group;
  }

  function patchGroup(group: AwsGroup, ops: Json[]): true {
    let changes = 0;
    for (const op of ops) {
      const values = (Array.isArray(op.value) ? op.value : []) as { value: string }[];
      if (op.path === "members") {
        if (op.op === "replace" || (op.op === "remove" && values.length === 0))
          throw invalid("cannot replace or remove all members");
        changes += values.length;
        for (const { value } of values) {
          if (op.op === "add" && users.has(value)) group.members.add(value);
          else if (op.op === "add") throw invalid(`no user ${value}`);
          else group.members.delete(value);
        }
      } else if (op.op === "replace" && (op.path === "displayName" || op.path === "externalId")) {
        group[op.path] = String(op.value);
      } else throw invalid(`unsupported operation ${String(op.op)} ${String(op.path)}`);
    }
    if (changes > 100) throw invalid("Too many membership changes in one request");
    return true;
  }

  function list<T extends { id: string }>(
    items: T[],
    query: URLSearchParams,
    attr: (item: T, name: string) => string[],
  ) {
    const count = Number(query.get("count") ?? 100);
    if (!Number.isInteger(count) || count < 1 || count > 100) throw invalid("count must be between 1 and 100");
    const filter = query.get("filter");
    const matches = filter ? items.filter(matcher(filter, attr)) : items;
    if (options.legacyCap) {
      const page = matches.slice(0, Math.min(50, count));
      return listJson(page, page.length);
    }
    const offset = Number(query.get("cursor") ?? 0);
    const page = matches.slice(offset, offset + count);
    const next = offset + count < matches.length ? String(offset + count) : undefined;
    return { ...listJson(page, matches.length), ...(next ? { nextCursor: next } : {}) };
  }

  function listJson<T>(page: T[], total: number): Json {
    const resources = page.map((item) =>
      "userName" in (item as object) ? userJson(item as AwsUser) : groupJson(item as AwsGroup),
    );
    return {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
      totalResults: total,
      itemsPerPage: page.length,
      startIndex: 1,
      Resources: resources,
    };
  }

  const server$ = await new Promise<AddressInfo>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(server.address() as AddressInfo)),
  );
  fake.baseUrl = `http://127.0.0.1:${server$.port}${prefix}`;
  fake.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return fake;
}

function userJson(user: AwsUser): Json {
  return { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], ...user, meta: { resourceType: "User" } };
}

/** AWS never lists members on a group. */
function groupJson(group: AwsGroup): Json {
  const { members: _members, ...rest } = group;
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
    ...rest,
    members: [],
    meta: { resourceType: "Group" },
  };
}

function operations(body: Json): Json[] {
  const ops = body.Operations;
  if (!Array.isArray(ops)) throw invalid();
  for (const op of ops as Json[])
    if (!["add", "replace", "remove"].includes(String(op.op))) throw invalid("op must be lower case");
  return ops as Json[];
}

function send(res: ServerResponse, status: number, body: Json | null): void {
  res.statusCode = status;
  if (body === null) return void res.end();
  res.setHeader("content-type", "application/scim+json");
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      data += chunk;
    });
    req.on("end", () => resolve(data));
    req.on("error", reject);
  });
}
