import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";

/** A tiny History API router: the console's few routes do not need a library. Paths are relative to /admin. */
export const BASE = "/admin";
const listeners = new Set<() => void>();
let navigated = false;

/** True once the console moved within itself; on the first page the browser's own focus order stands. */
export const hasNavigated = () => navigated;

export function currentPath(): string {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  return (path || "/") + location.search;
}

export function navigate(to: string, replace = false): void {
  navigated = true;
  const url = BASE + to;
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  for (const l of listeners) l();
}

addEventListener("popstate", () => {
  navigated = true;
  for (const l of listeners) l();
});

export function useLocation(): { path: string; search: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = () => setTick((t) => t + 1);
    listeners.add(l);
    return () => listeners.delete(l);
  }, []);
  return { path: location.pathname.slice(BASE.length) || "/", search: new URLSearchParams(location.search) };
}

interface AnchorProps {
  href: string;
  children: ComponentChildren;
  "aria-current"?: "page" | undefined;
}

/** An ordinary link (middle-click, copy address work) that navigates in place on a plain click. */
export function Link({ href, children, ...rest }: AnchorProps) {
  return (
    <a
      {...rest}
      href={BASE + href}
      onClick={(e) => {
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}
