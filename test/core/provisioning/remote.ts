import { DEMO_IDENTITY_CENTER, type SandboxHandle } from "../../../src/sandbox/index.js";

/**
 * The target's side of a test, over the sandbox's public SCIM API (as an admin scripting AWS would): how to
 * find a user there, or delete one behind rolebridge's back.
 */
async function scim(sandbox: SandboxHandle, method: string, path: string): Promise<Response> {
  const base = sandbox.identityCenter.scimUrl(DEMO_IDENTITY_CENTER.tenantId);
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${DEMO_IDENTITY_CENTER.scimToken}` },
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res;
}

export async function remoteUserId(sandbox: SandboxHandle, userName: string): Promise<string | null> {
  const filter = encodeURIComponent(`userName eq "${userName}"`);
  const body = (await (await scim(sandbox, "GET", `/Users?filter=${filter}`)).json()) as {
    Resources?: Array<{ id: string }>;
  };
  return body.Resources?.[0]?.id ?? null;
}

export async function deleteRemoteUser(sandbox: SandboxHandle, userName: string): Promise<void> {
  const id = await remoteUserId(sandbox, userName);
  if (!id) throw new Error(`${userName} is not on the target`);
  await scim(sandbox, "DELETE", `/Users/${id}`);
}

/** The instance's state as the sandbox holds it: what is really on the target, with no SCIM request spent. */
export function instanceOf(sandbox: SandboxHandle, tenantId: string) {
  const found = sandbox.state().identityCenter?.instances.find((i) => i.tenantId === tenantId);
  if (!found) throw new Error(`no instance ${tenantId}`);
  return found;
}
