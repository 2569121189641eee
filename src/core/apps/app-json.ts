import type { App } from "./model.js";

const PROVISIONS: readonly string[] = ["aws-iam-identity-center", "generic-scim2"];

/**
 * An app as the API and `--json` show it: the provisioning switch as `provisioning.enabled`, and only on apps
 * that provision (on the others it would mean nothing).
 */
export function appJson({ provisioningEnabled, ...app }: App) {
  return PROVISIONS.includes(app.type) ? { ...app, provisioning: { enabled: provisioningEnabled } } : app;
}
