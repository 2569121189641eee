import type { User } from "../directory/model.js";
import { DomainError } from "../errors.js";

/**
 * Who a sign-in refusal speaks to: the person signing in on the portal ("you"), or an administrator previewing
 * someone's sign-in (`saml preview --user erin`), who is told about that person in the third person.
 */
export type SignInVoice = "person" | "admin";

type Reason = "app_inactive" | "user_not_active" | "not_assigned" | "no_roles" | "saml_not_configured";

export function signInRefused(voice: SignInVoice, reason: Reason, user: User, appLabel: string): DomainError {
  const who = user.profile.login;
  const admin = voice === "admin";
  const message: Record<Reason, string> = {
    app_inactive: admin
      ? `${appLabel} is switched off (INACTIVE)`
      : `${appLabel} is switched off; ask your administrator`,
    user_not_active: admin ? `${who} is not active (${user.status})` : "your account is not active",
    not_assigned: admin ? `${who} is not assigned to ${appLabel}` : `you are not assigned to ${appLabel}`,
    no_roles: admin
      ? `${who} has no AWS role in ${appLabel}: assign them (or a group of theirs) a role`
      : `you have no AWS role in ${appLabel}; ask your administrator for access`,
    saml_not_configured: admin
      ? `${appLabel} has no SAML sign-in set up yet (settings.saml)`
      : `${appLabel} has no SAML sign-in set up yet; ask your administrator`,
  };
  return new DomainError("forbidden", message[reason], { reason });
}
