export * from "./client.js";
export * from "./errors.js";
export * from "./model.js";
export * from "./operations.js";
export * from "./plan.js";
export * from "./profiles.js";
export * from "./rate-limit.js";
export * from "./reconcile.js";
