#!/usr/bin/env node
// The CLI runs from the compiled output; `npm install` builds it (the `prepare` script).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const entry = new URL("../dist/cli/index.js", import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write("rolebridge: dist/ is missing; run `npm run build` (npm install does it for you)\n");
  process.exit(1);
}
// `aws credentials` runs before every AWS CLI command (credential_process): a fresh cached answer is printed
// from here, with node built-ins only; anything else goes to the full CLI.
const [command, sub, ...rest] = process.argv.slice(2);
const cached =
  command === "aws" &&
  sub === "credentials" &&
  (await import(new URL("../dist/cli/aws/cached.js", import.meta.url).href)).printCachedCredentials(rest);
if (!cached) await import(entry.href);
