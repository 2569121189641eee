import { escapeXml as escapeHtml } from "../protocol/query.js";

export interface PickerAccount {
  accountId: string;
  alias: string | undefined;
  roles: Array<{ roleArn: string; roleName: string }>;
}

export interface ConsoleSession {
  accountId: string;
  alias: string | undefined;
  roleName: string;
  sessionName: string;
  expiresAt: Date;
  partition: string;
}

const layout = (title: string, body: string) =>
  `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
  `<body>${body}</body></html>`;

const accountLabel = (accountId: string, alias: string | undefined) =>
  alias ? `${escapeHtml(alias)} (${accountId})` : accountId;

/** AWS's role picker: one fieldset per account ("Account: alias (id)"), a radio per role, one Sign In button. */
export function rolePickerPage(actionUrl: string, samlResponse: string, accounts: PickerAccount[]): string {
  const groups = accounts
    .map(
      (account) =>
        `<fieldset class="saml-account"><div class="saml-account-name">Account: ${accountLabel(account.accountId, account.alias)}</div>` +
        account.roles
          .map(
            (role) =>
              `<div class="saml-role"><input type="radio" name="roleIndex" value="${escapeHtml(role.roleArn)}" ` +
              `id="${escapeHtml(role.roleArn)}"><label for="${escapeHtml(role.roleArn)}" class="saml-role-description">` +
              `${escapeHtml(role.roleName)}</label></div>`,
          )
          .join("") +
        "</fieldset>",
    )
    .join("");
  return layout(
    "Amazon Web Services Sign-In",
    `<form id="saml_form" name="saml_form" action="${escapeHtml(actionUrl)}" method="post">` +
      `<p class="background">Select a role:</p>${groups}` +
      `<input type="hidden" name="SAMLResponse" value="${escapeHtml(samlResponse)}">` +
      `<input type="hidden" name="name" value=""><input type="hidden" name="portal" value="">` +
      `<button id="signin_button" type="submit">Sign In</button></form>`,
  );
}

/** Stands in for the AWS Management Console home: who is signed in, where, and until when. */
export function consolePage(session: ConsoleSession): string {
  return layout(
    "AWS Management Console",
    `<h1>AWS Management Console</h1><dl id="console-session">` +
      `<dt>Account</dt><dd id="account">${accountLabel(session.accountId, session.alias)}</dd>` +
      `<dt>Role</dt><dd id="role">${escapeHtml(session.roleName)}</dd>` +
      `<dt>Session name</dt><dd id="session-name">${escapeHtml(session.sessionName)}</dd>` +
      `<dt>Federated user</dt><dd id="federated-user">${escapeHtml(`${session.roleName}/${session.sessionName}`)} @ ${accountLabel(session.accountId, session.alias)}</dd>` +
      `<dt>Session expires</dt><dd id="expires">${session.expiresAt.toISOString()}</dd>` +
      `<dt>Partition</dt><dd id="partition">${escapeHtml(session.partition)}</dd></dl>`,
  );
}

/**
 * AWS shows one generic sentence for every rejected response; the specific reason is kept in a hidden element
 * so tests and developers can tell failures apart without changing what a user sees.
 */
export function signinErrorPage(reason: string, code: string): string {
  return layout(
    "Amazon Web Services Sign-In",
    `<div id="error"><h1>Error</h1><p>Your request included an invalid SAML response. To logout, click ` +
      `<a href="/logout">here</a>.</p></div>` +
      `<div id="sandbox-reason" hidden data-code="${escapeHtml(code)}">${escapeHtml(reason)}</div>`,
  );
}
