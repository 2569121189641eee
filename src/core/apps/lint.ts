import type { Store } from "../../store/contract.js";
import { allPages } from "../../store/pages.js";
import { DomainError } from "../errors.js";
import { appFilterAllows, parseAppFilter } from "../rolemap/app-filter.js";
import { type GroupFilterLintMiss, lintGroupFilter } from "../rolemap/lint.js";
import { AWS_MAX_SAML_RESPONSE_BASE64 } from "../saml/response.js";
import { estimateResponseBase64Length } from "../saml/size.js";
import { validateAwsFederationSettings } from "./aws-federation-settings.js";
import { appEntitlements } from "./entitlements.js";
import type { App, AppUpgradeNotice } from "./model.js";

/** A user is "at risk" from this share of AWS's limit: one more role group could break their sign-in. */
const AT_RISK_SHARE = 0.9;

export interface AppLint {
  groupFilter: { checked: number; matched: number; missed: GroupFilterLintMiss[] };
  responseSize: {
    limit: number;
    atRisk: Array<{ userId: string; login: string; roleCount: number; base64Length: number; overLimit: boolean }>;
  };
  /** Behaviour an upgrade changed for this app (who gained or lost roles), shown until an admin acknowledges. */
  upgradeNotices: AppUpgradeNotice[];
}

/**
 * Checks an AWS app against the directory: role groups its Group Filter would silently miss, and the
 * users whose signed Response is at or near AWS's size limit (listed before they fail to sign in).
 */
export async function lintAwsApp(store: Store, app: App): Promise<AppLint> {
  if (app.type !== "aws-account-federation") {
    throw new DomainError("conflict", `app ${app.slug} has no role mapping to lint (it is ${app.type})`, {
      type: app.type,
    });
  }
  const settings = validateAwsFederationSettings(app.settings);
  const trusted = parseAppFilter(settings.appFilter);
  const names: string[] = [];
  if (settings.useGroupMapping) {
    for await (const g of allPages((after) => store.groups.list({}, { limit: 1000, after }))) {
      if (appFilterAllows(trusted, g.source)) names.push(g.name);
    }
  }
  const groupFilter = lintGroupFilter(settings.groupFilter, names);

  const userIds = new Set<string>();
  for (const a of await store.assignments.listForApp(app.id)) {
    if (a.principalType === "user") userIds.add(a.principalId);
    else {
      for await (const u of allPages((after) =>
        store.memberships.membersOfGroup(a.principalId, { limit: 1000, after }),
      )) {
        userIds.add(u.id);
      }
    }
  }
  const atRisk: AppLint["responseSize"]["atRisk"] = [];
  for (const id of userIds) {
    const user = await store.users.get(id);
    if (!user) continue;
    const { roles } = await appEntitlements(store, { ...app, status: "ACTIVE" }, { ...user, status: "ACTIVE" });
    if (roles.length === 0) continue;
    const base64Length = estimateResponseBase64Length(roles.length, { partition: settings.partition }, roles);
    if (base64Length >= AWS_MAX_SAML_RESPONSE_BASE64 * AT_RISK_SHARE) {
      atRisk.push({
        userId: user.id,
        login: user.profile.login,
        roleCount: roles.length,
        base64Length,
        overLimit: base64Length > AWS_MAX_SAML_RESPONSE_BASE64,
      });
    }
  }
  atRisk.sort((a, b) => b.base64Length - a.base64Length);
  const upgradeNotices = await store.upgradeNotices.listForApp(app.id, { includeAcknowledged: false });
  return { groupFilter, responseSize: { limit: AWS_MAX_SAML_RESPONSE_BASE64, atRisk }, upgradeNotices };
}
