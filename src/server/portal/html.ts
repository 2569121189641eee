/** Server-rendered HTML with escaping by default: every interpolated value is escaped unless marked safe. */

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

type Part = string | number | SafeHtml | null | undefined | false | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return "";
  if (part instanceof SafeHtml) return part.value;
  if (Array.isArray(part)) return part.map(render).join("");
  return escapeHtml(String(part));
}

export function html(strings: TemplateStringsArray, ...values: Part[]): SafeHtml {
  let out = strings[0] ?? "";
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? "");
  });
  return new SafeHtml(out);
}

const STYLE = `
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;background:#f4f6f8;color:#1d2733}
header{background:#1d2733;color:#fff;padding:.8rem 1.5rem;display:flex;justify-content:space-between;align-items:center}
header a,header button{color:#fff}
main{max-width:960px;margin:2rem auto;padding:0 1rem}
.card{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.12);padding:1.5rem;max-width:380px;margin:auto}
label{display:block;margin:.8rem 0 .3rem;font-weight:600}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.55rem;border:1px solid #b8c2cc;border-radius:4px;font-size:1rem}
button{margin-top:1.2rem;padding:.6rem 1.2rem;border:0;border-radius:4px;background:#2563eb;color:#fff;font-size:1rem;cursor:pointer}
header button{background:none;margin:0;padding:0;text-decoration:underline}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:1rem}
.tile{display:block;background:#fff;border-radius:8px;padding:1.2rem;text-decoration:none;color:inherit;box-shadow:0 1px 3px rgba(0,0,0,.12)}
.tile strong{display:block;margin-bottom:.4rem}
.error{background:#fdecea;color:#8a1c1c;padding:.8rem;border-radius:4px}
.muted{color:#5b6775;font-size:.9rem}
`;

/** A page with a strict CSP: no inline script unless a nonce is given for it, styles only from this page. */
export function page(title: string, body: SafeHtml, opts: { nonce?: string; header?: SafeHtml } = {}): string {
  return `<!doctype html>${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · rolebridge</title><style nonce="${opts.nonce ?? ""}">${new SafeHtml(STYLE)}</style></head>
<body>${opts.header ?? ""}<main>${body}</main></body></html>`}`;
}

export function cspFor(nonce: string, formAction: string[] = ["'self'"]): string {
  return [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `form-action ${formAction.join(" ")}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join("; ");
}
