/** A person's browser on the portal over real HTTP: it keeps cookies and submits forms as rendered. */
export class PortalBrowser {
  private readonly cookies = new Map<string, string>();
  constructor(private readonly baseUrl: string) {}

  async request(path: string, init: { method?: string; form?: Record<string, string> } = {}) {
    const res = await fetch(new URL(path, this.baseUrl), {
      method: init.method ?? (init.form ? "POST" : "GET"),
      redirect: "manual",
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
        ...(init.form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const eq = pair!.indexOf("=");
      this.cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    return { status: res.status, location: res.headers.get("location"), body: await res.text() };
  }

  static hidden(body: string, name: string): string {
    const value = new RegExp(`name="${name}" value="([^"]*)"`).exec(body)?.[1];
    if (value === undefined) throw new Error(`no hidden field ${name} in the page`);
    return value;
  }

  /** Signs in through the login form, following `next` like a browser. */
  async signIn(login: string, password: string, next?: string, code?: string) {
    const form = await this.request(next ? `/login?next=${encodeURIComponent(next)}` : "/login");
    const fields: Record<string, string> = { login, password, csrf: PortalBrowser.hidden(form.body, "csrf") };
    if (next) fields.next = next;
    if (code) fields.code = code;
    const res = await this.request("/login", { form: fields });
    if (res.status !== 303) throw new Error(`sign-in failed with ${res.status}`);
    return res;
  }

  /** Opens the verification link, and approves (or denies) with the buttons the page shows. */
  async decideDevice(verificationUriComplete: string, decision: "approve" | "deny") {
    const page = await this.request(verificationUriComplete);
    if (page.status !== 200) throw new Error(`the approval page answered ${page.status}: ${page.body.slice(0, 200)}`);
    return this.request("/device", {
      form: {
        csrf: PortalBrowser.hidden(page.body, "csrf"),
        user_code: PortalBrowser.hidden(page.body, "user_code"),
        decision,
      },
    });
  }
}
