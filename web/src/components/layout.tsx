import type { ComponentChildren } from "preact";
import { api } from "../api";
import { Link, useLocation } from "../router";
import type { Session } from "../types";

const SECTIONS = [
  ["/people", "People"],
  ["/groups", "Groups"],
  ["/apps", "Apps"],
  ["/logs", "System Log"],
  ["/migration", "Migration"],
] as const;

export function Layout(props: { session: Session; onSignedOut: () => void; children: ComponentChildren }) {
  const { path } = useLocation();
  const me = props.session.user.profile;
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">rolebridge</span>
        <nav aria-label="Main">
          <ul>
            {SECTIONS.map(([href, text]) => (
              <li key={href}>
                <Link href={href} aria-current={path.startsWith(href) ? "page" : undefined}>
                  {text}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="me">
          <span>{me.displayName ?? me.login}</span>
          <button
            type="button"
            class="link"
            onClick={async () => {
              await api.write("DELETE", "/sessions/me").catch(() => undefined);
              props.onSignedOut();
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main">{props.children}</main>
    </>
  );
}
