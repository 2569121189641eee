import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * The admin console, built into dist/web and served by the API server at /admin. Preact's automatic
 * JSX runtime through Vite's own transformer: no Babel, no plugin.
 */
export default defineConfig({
  root: here("."),
  base: "/admin/",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: here("../dist/web"),
    emptyOutDir: true,
    // Hashed names are served as immutable; the CSP allows only same-origin files, so nothing may be inlined.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
});
