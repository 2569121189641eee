import { type SandboxHandle, startSandbox } from "../../../src/sandbox/index.js";

export interface ScimAnswer {
  status: number;
  body: Record<string, unknown> & { Resources?: Array<Record<string, unknown>> };
  headers: Headers;
}

/** A raw-fetch SCIM caller bound to one instance's base URL and bearer token. */
export function scimClient(sandbox: SandboxHandle, tenantId: string, token: string) {
  const base = sandbox.identityCenter.scimUrl(tenantId);
  return async (method: string, path: string, body?: unknown, bearer = token): Promise<ScimAnswer> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${bearer}`,
        ...(body === undefined ? {} : { "content-type": "application/scim+json" }),
      },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : {}, headers: response.headers };
  };
}

export type Scim = ReturnType<typeof scimClient>;

/** AWS's throttles off: for suites that send requests back to back to test something else. */
export const UNTHROTTLED = { throttles: { read: null, write: null, membership: null } };

/** The demo sandbox with one fresh Identity Center instance of the test's own, its throttles off. */
export async function sandboxWithInstance(tenantId: string) {
  const sandbox = await startSandbox({ port: 0, fixture: "demo" });
  sandbox.identityCenter.admin.createInstance({ tenantId, region: "us-east-1" });
  sandbox.identityCenter.admin.configure(tenantId, UNTHROTTLED);
  const { token } = sandbox.identityCenter.admin.createToken(tenantId);
  return { sandbox, token, scim: scimClient(sandbox, tenantId, token) };
}

export const user = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  userName,
  displayName: `Display ${userName}`,
  name: { givenName: "Given", familyName: "Family" },
  emails: [{ value: userName.includes("@") ? userName : `${userName}@example.com`, type: "work", primary: true }],
  active: true,
  ...extra,
});

export const group = (displayName: string, extra: Record<string, unknown> = {}) => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
  displayName,
  ...extra,
});

export const patch = (...operations: unknown[]) => ({
  schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  Operations: operations,
});

export const ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

export async function createUsers(scim: Scim, prefix: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const answer = await scim("POST", "/Users", user(`${prefix}${String(i).padStart(3, "0")}`));
    if (answer.status !== 201) throw new Error(`create ${i}: ${answer.status} ${JSON.stringify(answer.body)}`);
    ids.push(String(answer.body.id));
  }
  return ids;
}
