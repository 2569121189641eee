import type { Repos } from "../../store/contract.js";
import type { Actor } from "../audit.js";
import type { RsaKeySize } from "../saml/keys.js";
import type { App } from "./model.js";
import type { AppService, CreateAppInput } from "./service.js";
import { idpUrls, type SigningKeyService } from "./signing-keys.js";

/**
 * A new app and its first, active signing key commit together: an app without a key could sign no one
 * in. The key is generated before the transaction opens (RSA generation is slow).
 */
export async function createAppWithKey(
  services: { apps: AppService; signingKeys: SigningKeyService; publicUrl: string },
  actor: Actor,
  input: CreateAppInput,
  bits: RsaKeySize = 2048,
  alsoInTransaction?: (tx: Repos, app: App) => Promise<void>,
): Promise<App> {
  const writeKey = await services.signingKeys.prepare(actor, input.slug, "active", bits);
  const idpEntityId = input.settings?.idpEntityId ?? idpUrls(services.publicUrl, input).entityId;
  return services.apps.create(actor, { ...input, settings: { ...input.settings, idpEntityId } }, async (tx, app) => {
    await writeKey(tx, app);
    await alsoInTransaction?.(tx, app);
  });
}
