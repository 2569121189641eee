export * from "./app-filter.js";
export * from "./arn.js";
export * from "./errors.js";
export * from "./group-filter.js";
export * from "./lint.js";
export * from "./resolve.js";
export * from "./role-value-pattern.js";
export * from "./types.js";
