import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import express from "express";
import SCIMMY from "scimmy";
import SCIMMYRouters from "scimmy-routers";

/**
 * A third-party SCIM 2.0 server (scimmy + scimmy-routers on express) standing in for a generic
 * target. scimmy parses, filters, pages and applies PATCH; this file only keeps the records.
 */
export interface LoggedRequest {
  method: string;
  path: string;
  body: unknown;
}

type Row = Record<string, unknown> & { id: string };

export interface ScimmyServer {
  baseUrl: string;
  token: string;
  requests: LoggedRequest[];
  users: Map<string, Row>;
  groups: Map<string, Row>;
  close(): Promise<void>;
}

// scimmy keeps its declarations in a singleton: declare once, point the handlers at the current store.
let store = { users: new Map<string, Row>(), groups: new Map<string, Row>() };
let declared = false;

const plain = (value: unknown) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
// scimmy's typings want a string, but RFC 7644 has no scimType for 404 and scimmy itself passes null.
const NO_SCIM_TYPE = null as unknown as string;
const conflict = (message: string) => new SCIMMY.Types.Error(409, "uniqueness", message);

function egressFrom(rows: () => Map<string, Row>) {
  return (resource: SCIMMY.Types.Resource) => {
    if (resource.id) {
      const row = rows().get(resource.id);
      if (!row) throw new SCIMMY.Types.Error(404, NO_SCIM_TYPE, `Resource ${resource.id} not found`);
      return row as never;
    }
    const all = [...rows().values()];
    return (resource.filter ? resource.filter.match(all) : all) as never;
  };
}

function declareOnce(): void {
  if (declared) return;
  declared = true;
  SCIMMY.Resources.declare(SCIMMY.Resources.User)
    .ingress((resource, instance) => {
      const data = plain(instance);
      const userName = String(data.userName ?? "").toLowerCase();
      for (const row of store.users.values()) {
        if (row.id !== resource.id && String(row.userName).toLowerCase() === userName) throw conflict("userName taken");
      }
      const id = resource.id ?? randomUUID();
      if (resource.id && !store.users.has(id))
        throw new SCIMMY.Types.Error(404, NO_SCIM_TYPE, `Resource ${id} not found`);
      const row = { ...data, id } as Row;
      delete row.meta;
      store.users.set(id, row);
      return row as never;
    })
    .egress(egressFrom(() => store.users))
    .degress((resource) => {
      if (!resource.id || !store.users.delete(resource.id))
        throw new SCIMMY.Types.Error(404, NO_SCIM_TYPE, "not found");
    });
  SCIMMY.Resources.declare(SCIMMY.Resources.Group)
    .ingress((resource, instance) => {
      const data = plain(instance);
      for (const row of store.groups.values()) {
        if (row.id !== resource.id && row.displayName === data.displayName) throw conflict("displayName taken");
      }
      const id = resource.id ?? randomUUID();
      const row = { ...data, id } as Row;
      delete row.meta;
      store.groups.set(id, row);
      return row as never;
    })
    .egress(egressFrom(() => store.groups))
    .degress((resource) => {
      if (!resource.id || !store.groups.delete(resource.id))
        throw new SCIMMY.Types.Error(404, NO_SCIM_TYPE, "not found");
    });
}

/**
 * scimmy only honours `startIndex` and `count` when they are numbers, but express hands the
 * router query strings, so as shipped every page is page one (20 results). `numericPaging`
 * mends that in the query parser; leaving it off keeps the quirk for the engine to cope with.
 */
function queryParser(numericPaging: boolean) {
  return (search: string) => {
    const query: Record<string, unknown> = Object.fromEntries(new URLSearchParams(search));
    if (numericPaging) {
      for (const key of ["startIndex", "count"]) if (typeof query[key] === "string") query[key] = Number(query[key]);
    }
    return query;
  };
}

/**
 * `logRequests: false` keeps the request log out of the hot path, for the provisioning bench's throughput
 * comparison; tests keep it to count what the engine sent.
 */
export async function startScimmyServer(
  options: { numericPaging?: boolean; logRequests?: boolean } = {},
): Promise<ScimmyServer> {
  declareOnce();
  store = { users: new Map(), groups: new Map() };
  const token = "scimmy-test-token";
  const requests: LoggedRequest[] = [];
  const app = express();
  app.set("query parser", queryParser(options.numericPaging ?? true));
  app.use(express.json({ type: ["application/scim+json", "application/json"], limit: "5mb" }));
  app.use((req, _res, next) => {
    if (options.logRequests !== false) requests.push({ method: req.method, path: req.url, body: req.body });
    next();
  });
  app.use(
    "/scim/v2",
    new SCIMMYRouters({
      type: "bearer",
      handler: (req) => {
        if (req.header("Authorization") !== `Bearer ${token}`) throw new Error("Authorization not detected!");
        return "rolebridge";
      },
    }),
  );
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  const current = store;
  return {
    baseUrl: `http://127.0.0.1:${port}/scim/v2`,
    token,
    requests,
    users: current.users,
    groups: current.groups,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
