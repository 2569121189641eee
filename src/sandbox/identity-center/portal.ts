import { escapeXml as escapeHtml } from "../protocol/query.js";

export interface PortalAccount {
  accountId: string;
  name: string;
  alias: string | undefined;
  permissionSets: string[];
}

export interface PortalView {
  tenantId: string;
  userName: string;
  displayName: string;
  accounts: PortalAccount[];
}

const layout = (title: string, body: string) =>
  `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
  `<body>${body}</body></html>`;

/** Stands in for the AWS access portal's account list: one entry per account, its permission sets beneath. */
export function portalPage(view: PortalView): string {
  const accounts = view.accounts
    .map(
      (a) =>
        `<li class="account" data-account-id="${a.accountId}"><span class="account-name">${escapeHtml(a.alias ?? a.name)}</span> ` +
        `<span class="account-id">${a.accountId}</span><ul class="permission-sets">` +
        a.permissionSets.map((p) => `<li class="permission-set">${escapeHtml(p)}</li>`).join("") +
        "</ul></li>",
    )
    .join("");
  return layout(
    "AWS access portal",
    `<h1>AWS access portal</h1><p id="user" data-user-name="${escapeHtml(view.userName)}">` +
      `${escapeHtml(view.displayName)} (${escapeHtml(view.userName)})</p>` +
      `<p id="instance">${escapeHtml(view.tenantId)}</p>` +
      (view.accounts.length === 0
        ? `<p id="no-accounts">You do not have any applications.</p>`
        : `<ul id="accounts">${accounts}</ul>`),
  );
}

/** One generic message for every refusal, with the specific reason hidden for tests and developers. */
export function portalErrorPage(reason: string): string {
  return layout(
    "AWS access portal",
    `<div id="error"><h1>Error</h1><p>Something went wrong. The SAML response could not be accepted.</p></div>` +
      `<div id="sandbox-reason" hidden>${escapeHtml(reason)}</div>`,
  );
}
