import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import express from "express";
import SCIMMY from "scimmy";
import SCIMMYRouters from "scimmy-routers";

/**
 * The scimmy baseline: scimmy + scimmy-routers on express, records in memory. Copied (trimmed) from
 * test/core/scim/scimmy-server.ts so the bench does not import from test/.
 */
export interface ScimmyServer {
  baseUrl: string;
  token: string;
  close(): Promise<void>;
}

type Row = Record<string, unknown> & { id: string };

// scimmy keeps its declarations in a singleton: declare once, point the handlers at the current store.
let store = { users: new Map<string, Row>(), groups: new Map<string, Row>() };
let declared = false;

const plain = (value: unknown) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
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

/** Numeric `startIndex`/`count` (express hands the router strings, which scimmy would ignore). */
function queryParser(search: string) {
  const query: Record<string, unknown> = Object.fromEntries(new URLSearchParams(search));
  for (const key of ["startIndex", "count"]) if (typeof query[key] === "string") query[key] = Number(query[key]);
  return query;
}

export async function startScimmyServer(): Promise<ScimmyServer> {
  declareOnce();
  store = { users: new Map(), groups: new Map() };
  const token = "scimmy-bench-token";
  const app = express();
  app.set("query parser", queryParser);
  app.use(express.json({ type: ["application/scim+json", "application/json"], limit: "5mb" }));
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
  return {
    baseUrl: `http://127.0.0.1:${port}/scim/v2`,
    token,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
