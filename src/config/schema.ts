import { type Static, Type } from "@sinclair/typebox";

/** The one typed configuration. Defaults suit the embedded case: SQLite in a local data directory. */
export const ConfigSchema = Type.Object(
  {
    env: Type.Union([Type.Literal("development"), Type.Literal("production")], { default: "development" }),
    dataDir: Type.String({ minLength: 1, default: ".rolebridge" }),
    databaseUrl: Type.Optional(Type.String({ pattern: "^postgres(ql)?://" })),
    host: Type.String({ default: "127.0.0.1" }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
    /** Where people and AWS reach us; defaults to http://host:port. Must be https in production. */
    publicUrl: Type.Optional(Type.String({ pattern: "^https?://" })),
    /** Base64 of 32 random bytes. Without it, dev mode generates <dataDir>/master.key. */
    masterKey: Type.Optional(Type.String({ minLength: 40 })),
    masterKeyFile: Type.Optional(Type.String({ minLength: 1 })),
    logLevel: Type.Union(
      ["fatal", "error", "warn", "info", "debug", "trace", "silent"].map((l) => Type.Literal(l)),
      { default: "info" },
    ),
    trustProxy: Type.Boolean({ default: false }),
    /**
     * Behind a load balancer: on SIGTERM, how long /readyz answers 503 while requests are still served, so the
     * balancer's health checks take the node out before it closes (at least its check interval × fall count).
     */
    drainSeconds: Type.Number({ minimum: 0, maximum: 300, default: 0 }),
    /** When set, /metrics answers only `Authorization: Bearer <metricsToken>` (scrapers send it). */
    metricsToken: Type.Optional(Type.String({ minLength: 16, maxLength: 512 })),
    bodyLimitBytes: Type.Integer({ minimum: 1024, maximum: 100 * 1024 * 1024, default: 1024 * 1024 }),
    security: Type.Object(
      {
        loginMaxAttempts: Type.Integer({ minimum: 1, maximum: 100, default: 5 }),
        lockoutMinutes: Type.Integer({ minimum: 1, maximum: 24 * 60, default: 15 }),
        sessionTtlMinutes: Type.Integer({ minimum: 5, maximum: 7 * 24 * 60, default: 8 * 60 }),
        /**
         * Every person must use an authenticator app: activation and reset links enrol one before the link is
         * used up (people who already have one keep it).
         */
        requireMfa: Type.Optional(Type.Boolean()),
      },
      { default: {}, additionalProperties: false },
    ),
    /** Command-line sign-in for people (`rolebridge aws login`, OAuth 2.0 Device Authorization Grant). */
    cliSignIn: Type.Object(
      {
        /** The longest a command-line sign-in lasts, refreshes included; each AWS app may allow less. */
        maxSessionHours: Type.Integer({ minimum: 1, maximum: 7 * 24, default: 12 }),
        /** How often the CLI may poll while the person approves (RFC 8628 `interval`). */
        pollIntervalSeconds: Type.Integer({ minimum: 1, maximum: 60, default: 5 }),
      },
      { default: {}, additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;

/** Environment variables and the config keys they set. */
export const ENV_KEYS: Record<string, keyof Config> = {
  ROLEBRIDGE_ENV: "env",
  ROLEBRIDGE_DATA_DIR: "dataDir",
  DATABASE_URL: "databaseUrl",
  ROLEBRIDGE_HOST: "host",
  ROLEBRIDGE_PORT: "port",
  ROLEBRIDGE_PUBLIC_URL: "publicUrl",
  ROLEBRIDGE_MASTER_KEY: "masterKey",
  ROLEBRIDGE_MASTER_KEY_FILE: "masterKeyFile",
  ROLEBRIDGE_LOG_LEVEL: "logLevel",
  ROLEBRIDGE_TRUST_PROXY: "trustProxy",
  ROLEBRIDGE_DRAIN_SECONDS: "drainSeconds",
  ROLEBRIDGE_METRICS_TOKEN: "metricsToken",
};
