import { type FieldError, validationFailed } from "../errors.js";
import { xmlUnsafeMessage } from "../xml-safe.js";
import type { UserProfile } from "./model.js";

/** Domain rules shared by the admin API, the CLI and the CSV import, so all three refuse the same input. */

const EMAIL = /^[^\s@"<>()[\]\\,;:]+@[^\s@"<>()[\]\\,;:]+\.[^\s@"<>()[\]\\,;:]+$/;
const LOGIN = /^[^\s"<>\\]{1,100}$/;
// A bare "csv" is refused: CSV sources are named, so two imports cannot pass for each other.
export const GROUP_SOURCE = /^(?!csv$)[a-z][a-z0-9_]{1,63}(:[a-z0-9][a-z0-9_.-]{0,63})?$/;

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

/** Every value here can reach a SAML assertion: refuse what XML normalization would rewrite (see xml-safe.ts). */
function unsafe(errors: FieldError[], path: string, value: string): boolean {
  const message = xmlUnsafeMessage(value);
  if (message) errors.push({ path, message });
  return message !== null;
}

function text(errors: FieldError[], path: string, value: string | null, max: number, required: boolean) {
  if (value === null || value === "") {
    if (required) errors.push({ path, message: "is required" });
    return;
  }
  if (value.length > max) errors.push({ path, message: `must be at most ${max} characters` });
  unsafe(errors, path, value);
  if (value !== value.trim()) errors.push({ path, message: "must not start or end with white space" });
}

export function profileErrors(p: UserProfile, prefix = "/profile"): FieldError[] {
  const errors: FieldError[] = [];
  // An unsafe character is named precisely; the general shape message would only hide it.
  if (!unsafe(errors, `${prefix}/login`, p.login) && !LOGIN.test(p.login)) {
    errors.push({ path: `${prefix}/login`, message: "must be 1-100 characters without spaces, quotes, <, > or \\" });
  }
  if (!unsafe(errors, `${prefix}/email`, p.email) && (p.email.length > 254 || !EMAIL.test(p.email))) {
    errors.push({ path: `${prefix}/email`, message: `${JSON.stringify(p.email)} is not a valid email address` });
  }
  text(errors, `${prefix}/firstName`, p.firstName, 100, false);
  text(errors, `${prefix}/lastName`, p.lastName, 100, false);
  text(errors, `${prefix}/displayName`, p.displayName, 200, false);
  return errors;
}

export function assertProfile(p: UserProfile): void {
  const errors = profileErrors(p);
  if (errors.length) throw validationFailed("the user profile is invalid", errors);
}

export function groupErrors(g: {
  name: string;
  description: string | null;
  source: string;
  externalId: string | null;
}) {
  const errors: FieldError[] = [];
  text(errors, "/profile/name", g.name, 255, true);
  text(errors, "/profile/description", g.description, 1024, false);
  if (!GROUP_SOURCE.test(g.source)) {
    errors.push({
      path: "/source",
      message: `${JSON.stringify(g.source)} is not a group source; use local, active_directory, ldap or csv:<name>`,
    });
  }
  text(errors, "/externalId", g.externalId, 512, false);
  return errors;
}

export function assertGroup(g: Parameters<typeof groupErrors>[0]): void {
  const errors = groupErrors(g);
  if (errors.length) throw validationFailed("the group is invalid", errors);
}

export function assertPassword(password: string, path = "/credentials/password"): void {
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    throw validationFailed("the password is not acceptable", [
      { path, message: `must be ${PASSWORD_MIN}-${PASSWORD_MAX} characters` },
    ]);
  }
}
