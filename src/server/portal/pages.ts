import type { App } from "../../core/apps/model.js";
import type { User } from "../../core/directory/model.js";
import { html, page, type SafeHtml } from "./html.js";

export const PORTAL_CSRF_FIELD = "csrf";

const TYPE_LABELS: Record<string, string> = {
  "aws-account-federation": "AWS account sign-in",
  "aws-iam-identity-center": "AWS IAM Identity Center",
};

function header(user: User, csrf: string): SafeHtml {
  return html`<header><a href="/"><strong>rolebridge</strong></a><form method="post" action="/logout">
<span>${user.profile.displayName ?? user.profile.login}</span>
<input type="hidden" name="${PORTAL_CSRF_FIELD}" value="${csrf}"> <button type="submit">Sign out</button></form></header>`;
}

export function loginPage(opts: {
  nonce: string;
  csrf: string;
  error?: string;
  login?: string;
  next?: string;
  /** Shown once the password was right and the account has an authenticator enrolled. */
  askCode?: boolean;
}) {
  return page(
    "Sign in",
    html`<div class="card"><h1>Sign in</h1>
${opts.error ? html`<p class="error" role="alert">${opts.error}</p>` : ""}
<form method="post" action="/login">
<input type="hidden" name="${PORTAL_CSRF_FIELD}" value="${opts.csrf}">
${opts.next ? html`<input type="hidden" name="next" value="${opts.next}">` : ""}
<label for="login">Username</label><input type="text" id="login" name="login" autocomplete="username" required value="${opts.login ?? ""}" autofocus>
<label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password" required>
${opts.askCode ? html`<label for="code">Verification code</label><input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required>` : html`<label for="code">Verification code <span class="muted">(if you use an authenticator app)</span></label><input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}">`}
<button type="submit">Sign in</button></form></div>`,
    { nonce: opts.nonce },
  );
}

export function dashboardPage(opts: { nonce: string; csrf: string; user: User; apps: App[] }) {
  const tiles = opts.apps.map(
    (a) =>
      html`<a class="tile" href="/app/${a.slug}/sso/saml"><strong>${a.label}</strong><span class="muted">${TYPE_LABELS[a.type] ?? a.type}</span></a>`,
  );
  return page(
    "My apps",
    html`<h1>My apps</h1>${
      tiles.length
        ? html`<div class="tiles">${tiles}</div>`
        : html`<p class="muted">No apps are assigned to you yet.</p>`
    }`,
    { nonce: opts.nonce, header: header(opts.user, opts.csrf) },
  );
}

export function messagePage(opts: { nonce: string; title: string; message: string; user?: User; csrf?: string }) {
  return page(
    opts.title,
    html`<div class="card"><h1>${opts.title}</h1><p class="error" role="alert">${opts.message}</p><p><a href="/">Back to my apps</a></p></div>`,
    { nonce: opts.nonce, ...(opts.user && opts.csrf ? { header: header(opts.user, opts.csrf) } : {}) },
  );
}

/** IdP-initiated SSO: the browser POSTs the signed Response to the ACS; a button does it without JavaScript. */
export function autoPostPage(opts: {
  nonce: string;
  acsUrl: string;
  samlResponse: string;
  relayState: string | null;
  label: string;
}) {
  return page(
    `Signing in to ${opts.label}`,
    html`<div class="card"><h1>Signing in to ${opts.label}…</h1>
<form id="saml" method="post" action="${opts.acsUrl}">
<input type="hidden" name="SAMLResponse" value="${opts.samlResponse}">
${opts.relayState ? html`<input type="hidden" name="RelayState" value="${opts.relayState}">` : ""}
<noscript><p>JavaScript is off: press Continue.</p></noscript><button type="submit">Continue</button></form>
<script nonce="${opts.nonce}">document.getElementById("saml").submit();</script></div>`,
    { nonce: opts.nonce },
  );
}
