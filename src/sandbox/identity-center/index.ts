import type { FastifyInstance } from "fastify";
import { UsedResponses } from "../signin/replay.js";
import type { SandboxStore } from "../state/store.js";
import { IdentityCenterAdmin } from "./admin.js";
import { registerAdminRoutes } from "./admin-routes.js";
import { findInstance } from "./model.js";
import { portalErrorPage } from "./portal.js";
import { registerScimRoutes } from "./scim-routes.js";
import { handleIdentityCenterAcs, realAcsUrl, signinHost, spEntityId } from "./signin.js";
import { startSignIn } from "./start.js";
import { TrafficControl } from "./traffic.js";

export { AdminError, IdentityCenterAdmin, type NewToken, type SettingsUpdate } from "./admin.js";
export { realAcsUrl, spEntityId } from "./signin.js";

const MAX_SIGNIN_BODY_BYTES = 160 * 1024;

export interface IdentityCenterOptions {
  store: SandboxStore;
  baseUrl: () => string;
}

/** SCIM at `/<tenant>/scim/v2/…`, the admin API under `/_sandbox/identity-center`, the ACS under `/signin/…`. */
export function registerIdentityCenter(app: FastifyInstance, options: IdentityCenterOptions): IdentityCenterAdmin {
  const traffic = new TrafficControl();
  const admin = new IdentityCenterAdmin(options.store, traffic);
  registerScimRoutes(app, { store: options.store, traffic, baseUrl: options.baseUrl });
  registerAdminRoutes(app, admin);
  const usedResponses = new UsedResponses();
  app.post<{ Params: { host: string; tenant: string } }>(
    "/signin/:host/platform/saml/acs/:tenant",
    { bodyLimit: MAX_SIGNIN_BODY_BYTES },
    async (request, reply) => {
      const state = options.store.state;
      const instance = findInstance(state, request.params.tenant);
      if (!instance || request.params.host !== signinHost(instance.region)) {
        return reply.code(404).type("text/plain").send("No Identity Center instance answers at this ACS\n");
      }
      const form = new URLSearchParams(typeof request.body === "string" ? request.body : "");
      const result = handleIdentityCenterAcs(instance, state.accounts, form, new Date(), usedResponses);
      return reply.code(result.status).type("text/html; charset=utf-8").send(result.html);
    },
  );
  app.get<{ Params: { tenant: string } }>("/start/:tenant", async (request, reply) => {
    const instance = findInstance(options.store.state, request.params.tenant);
    if (!instance) return reply.code(404).type("text/plain").send("No Identity Center instance has this portal\n");
    const started = startSignIn(instance, new Date());
    if ("reason" in started)
      return reply.code(400).type("text/html; charset=utf-8").send(portalErrorPage(started.reason));
    return reply.redirect(started.url, 302);
  });
  return admin;
}

/** What tests and the demo use in-process: the admin operations plus the URLs an IdP is configured with. */
export interface IdentityCenterHandle {
  admin: IdentityCenterAdmin;
  /** The SCIM base URL to give the IdP (no trailing slash), e.g. http://127.0.0.1:4566/d-9067c0ffee/scim/v2. */
  scimUrl(tenantId: string): string;
  /** Where to POST the SAMLResponse for the instance (the sandbox twin of its ACS). */
  acsUrl(tenantId: string): string;
  /** The real ACS URL (the assertion's Recipient) and SP entity id (its Audience). */
  samlRecipient(tenantId: string): string;
  samlAudience(tenantId: string): string;
  /** The access portal URL (AWS's `https://<d-…>.awsapps.com/start`): starts SP-initiated sign-in. */
  portalUrl(tenantId: string): string;
}

export function identityCenterHandle(
  admin: IdentityCenterAdmin,
  store: SandboxStore,
  url: string,
): IdentityCenterHandle {
  const instance = (tenantId: string) => {
    const found = findInstance(store.state, tenantId);
    if (!found) throw new Error(`no Identity Center instance ${tenantId}`);
    return found;
  };
  return {
    admin,
    scimUrl: (tenantId) => `${url}/${instance(tenantId).tenantId}/scim/v2`,
    acsUrl: (tenantId) => `${url}/signin/${realAcsUrl(instance(tenantId)).slice("https://".length)}`,
    samlRecipient: (tenantId) => realAcsUrl(instance(tenantId)),
    samlAudience: (tenantId) => spEntityId(instance(tenantId)),
    portalUrl: (tenantId) => `${url}/start/${instance(tenantId).tenantId}`,
  };
}
