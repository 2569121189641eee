import { UniqueViolation } from "../contract.js";

/** Turn each driver's unique-constraint error into the contract's UniqueViolation. */
export function translateUniqueViolation(err: unknown): never {
  const e = err as { code?: string; constraint?: string; message?: string };
  const sqlite = e.code === "SQLITE_CONSTRAINT_UNIQUE" || e.code === "SQLITE_CONSTRAINT_PRIMARYKEY";
  const postgres = e.code === "23505";
  if (!sqlite && !postgres) throw err;
  const text = `${e.constraint ?? ""} ${e.message ?? ""}`;
  if (/login_key/.test(text)) throw new UniqueViolation("user_login");
  if (/groups_source_name|groups\.source, groups\.name_key/.test(text)) throw new UniqueViolation("group_name");
  if (/groups_source_external_id|groups\.source, groups\.external_id/.test(text))
    throw new UniqueViolation("group_external_id");
  if (/token_hash/.test(text)) throw new UniqueViolation("token_hash");
  if (/apps_slug|apps\.slug/.test(text)) throw new UniqueViolation("app_slug");
  throw new UniqueViolation("other");
}

export async function guardUnique<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    translateUniqueViolation(err);
  }
}
