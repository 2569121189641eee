import pino, { type Logger } from "pino";
import { publicUrlOf } from "./config/load.js";
import { resolveMasterKey } from "./config/master-key.js";
import type { Config } from "./config/schema.js";
import { ActivationService } from "./core/access/activation.js";
import { SignInService } from "./core/access/sign-in.js";
import { TokenService } from "./core/access/tokens.js";
import { TotpService } from "./core/access/totp.js";
import { LegacyApiService } from "./core/apps/legacy-api.js";
import { AppService } from "./core/apps/service.js";
import { SigningKeyService } from "./core/apps/signing-keys.js";
import { computePendingUpgradeNotices } from "./core/apps/upgrade-notices.js";
import { SecretBox } from "./core/crypto/secretbox.js";
import { DeviceAuthService } from "./core/device-auth/service.js";
import { type Directory, directory } from "./core/directory/index.js";
import { type Clock, systemClock } from "./core/ids.js";
import { PolicyService } from "./core/policy/service.js";
import { ProvisioningService } from "./core/provisioning/service.js";
import { SourceService } from "./core/sources/service.js";
import { REDACTED, redactDeep } from "./logging/redact.js";
import type { Store } from "./store/contract.js";
import { openStore } from "./store/open.js";

/**
 * Everything a shell (HTTP server or CLI command) needs, wired once: config, store, services.
 * The shells stay thin: they translate requests and flags into calls on these services.
 */
export interface Runtime {
  config: Config;
  store: Store;
  directory: Directory;
  apps: AppService;
  signingKeys: SigningKeyService;
  legacyApi: LegacyApiService;
  provisioning: ProvisioningService;
  /** The legacy API-mode principal's IAM policy: audit, least-privilege fix, rollback. */
  policy: PolicyService;
  /** Directory sources (LDAP, Active Directory) and their syncs. */
  sources: SourceService;
  /** Where people and AWS reach this server (config.publicUrl or http://host:port). */
  publicUrl: string;
  tokens: TokenService;
  signIn: SignInService;
  /** Command-line sign-in for people (RFC 8628 device grant) and their CLI sessions. */
  deviceAuth: DeviceAuthService;
  totp: TotpService;
  /** One-time activation and reset links (issue 16). */
  activation: ActivationService;
  secrets: SecretBox;
  logger: Logger;
  clock: Clock;
  close(): Promise<void>;
}

/** Redaction of the serialized request and response; every other secret is redacted by key name (redactDeep). */
export const REDACT_PATHS = [
  "req.headers.authorization",
  "req.headers.cookie",
  "req.headers['x-csrf-token']",
  'res.headers["set-cookie"]',
  "*.password",
  "*.secret",
  "*.token",
  "*.secretAccessKey",
  "*.apiToken",
];

export function createLogger(config: Pick<Config, "logLevel">, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      // Paths for the request/response objects the serializers build; key names at any depth for the rest.
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      formatters: { log: (object) => redactDeep(object) as Record<string, unknown> },
    },
    destination,
  );
}

export async function openRuntime(
  config: Config,
  opts: { logger?: Logger; clock?: Clock; onQuery?: () => void } = {},
): Promise<Runtime> {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger(config);
  const secrets = new SecretBox(resolveMasterKey(config));
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    onIdleError: (err) => logger.warn({ err: { message: err.message } }, "database connection lost; reconnecting"),
    ...(opts.onQuery ? { onQuery: opts.onQuery } : {}),
  });
  // An upgrade that changed how existing apps decide roles is recorded before anything signs anyone in.
  await computePendingUpgradeNotices(store, clock);
  const apps = new AppService(store, clock, { requireHttps: config.env === "production" });
  const dir = directory(store, clock);
  const legacyApi = new LegacyApiService(store, apps, secrets, clock);
  const sources = new SourceService(store, secrets, { production: config.env === "production" }, clock);
  const runtime: Omit<Runtime, "activation"> = {
    config,
    store,
    directory: dir,
    totp: new TotpService(store, secrets, dir.users, clock),
    apps,
    signingKeys: new SigningKeyService(store, secrets, clock),
    legacyApi,
    policy: new PolicyService(store, apps, legacyApi, secrets, clock),
    provisioning: new ProvisioningService(store, apps, secrets, clock),
    sources,
    publicUrl: publicUrlOf(config),
    tokens: new TokenService(store, clock),
    signIn: new SignInService(
      store,
      {
        maxAttempts: config.security.loginMaxAttempts,
        lockoutMinutes: config.security.lockoutMinutes,
        sessionTtlMinutes: config.security.sessionTtlMinutes,
      },
      clock,
      secrets,
      sources,
    ),
    deviceAuth: new DeviceAuthService(store, config.cliSignIn, clock),
    secrets,
    logger,
    clock,
    close: () => store.close(),
  };
  // Links name the public URL as the runtime knows it when they are issued, not when the runtime opened.
  const activation = new ActivationService(store, secrets, dir.users, () => runtime.publicUrl, clock, {
    requireMfa: config.security.requireMfa ?? false,
  });
  return Object.assign(runtime, { activation });
}
