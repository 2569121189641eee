import { html, page, type SafeHtml } from "../portal/html.js";
import { PORTAL_CSRF_FIELD } from "../portal/pages.js";

const card = (title: string, body: SafeHtml | string, nonce: string) =>
  page(title, html`<div class="card"><h1>${title}</h1>${body}</div>`, { nonce });

/** Where a person types the code their terminal shows (when they did not follow the complete link). */
export function enterCodePage(opts: { nonce: string; error?: string; code?: string }) {
  return card(
    "Sign in a program",
    html`${opts.error ? html`<p class="error" role="alert">${opts.error}</p>` : ""}
<form method="get" action="/device"><label for="user_code">Code shown in your terminal</label>
<input type="text" id="user_code" name="user_code" autocomplete="off" autocapitalize="characters" required value="${opts.code ?? ""}" autofocus>
<button type="submit">Continue</button></form>`,
    opts.nonce,
  );
}

/**
 * RFC 8628 §5.4: the person must check that the code matches the terminal's before approving, or a code
 * phished from someone else's terminal would sign that program in as them.
 */
export function approvePage(opts: { nonce: string; csrf: string; userCode: string; login: string }) {
  return card(
    "Approve command-line sign-in?",
    html`<p>The rolebridge command-line tool is asking to get AWS credentials as <strong>${opts.login}</strong>.</p>
<p>Approve only if your terminal shows this code and you started the sign-in yourself:</p>
<p><strong id="user-code">${opts.userCode}</strong></p>
<form method="post" action="/device">
<input type="hidden" name="${PORTAL_CSRF_FIELD}" value="${opts.csrf}">
<input type="hidden" name="user_code" value="${opts.userCode}">
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button></form>`,
    opts.nonce,
  );
}

export function cliSessionsPage(opts: {
  nonce: string;
  csrf: string;
  sessions: { id: string; created: string; lastUsed: string | null; sessionExpiresAt: string }[];
}) {
  const end = (session: string, label: string) =>
    html`<form method="post" action="/cli-sessions"><input type="hidden" name="${PORTAL_CSRF_FIELD}" value="${opts.csrf}">
<input type="hidden" name="session" value="${session}"><button type="submit">${label}</button></form>`;
  const rows = opts.sessions.map(
    (s) =>
      html`<li id="${s.id}">Signed in ${s.created}, last used ${s.lastUsed ?? "never"}, ends ${s.sessionExpiresAt}${end(s.id, "End")}</li>`,
  );
  return card(
    "Command-line sign-ins",
    opts.sessions.length
      ? html`<p>Each <code>rolebridge aws login</code> that is still signed in. End one you do not recognise, or on a
machine you no longer have.</p><ul>${rows}</ul>${end("", "End all")}`
      : html`<p class="muted">No command-line sign-ins.</p>`,
    opts.nonce,
  );
}

export function decidedPage(opts: { nonce: string; approved: boolean }) {
  return opts.approved
    ? card(
        "Signed in",
        html`<p>You can close this page and go back to your terminal.</p>
<p class="muted">Your command-line sign-ins are listed at <a href="/cli-sessions">/cli-sessions</a>.</p>`,
        opts.nonce,
      )
    : card("Sign-in denied", html`<p>The program was not signed in. You can close this page.</p>`, opts.nonce);
}
