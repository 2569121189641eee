import type { Command } from "commander";
import { positiveInt } from "../context.js";
import { CliError, printJson, printLine, printTable } from "../output.js";

/**
 * `rolebridge aws …`: AWS credentials for a person at a terminal. It talks to a rolebridge server over HTTP
 * only (never a database); each action loads its own module, and the cached `credentials` call is answered
 * before this file is even loaded (bin/rolebridge.js → cli/aws/cached.ts).
 */
interface AwsOptions {
  url?: string;
  stsEndpoint?: string;
  region?: string;
  json?: boolean;
}

async function context(opts: AwsOptions) {
  const { cliDir, readConfig } = await import("../aws/files.js");
  const dir = cliDir();
  const config = readConfig(dir);
  const url = (opts.url ?? config.url)?.replace(/\/+$/, "");
  if (!url) throw new CliError("which rolebridge? give --url <rolebridge url> (login remembers it)");
  if (!/^https?:\/\//.test(url)) throw new CliError(`--url must be an http(s) URL, not ${url}`);
  return {
    dir,
    url,
    stsEndpoint: opts.stsEndpoint ?? config.stsEndpoint ?? "",
    region: opts.region ?? config.region ?? "",
  };
}

const withServer = (cmd: Command) =>
  cmd
    .option("--url <url>", "the rolebridge server (remembered by `login`)")
    .option("--sts-endpoint <url>", "AWS STS endpoint (default: the partition's; e.g. a local sandbox)")
    .option("--region <region>", "AWS region for STS (default: the partition's first)");

const withRole = (cmd: Command) =>
  withServer(cmd)
    .requiredOption("--role <role>", "alias/role (as `rolebridge aws roles` shows it) or the role ARN")
    .option("--duration <seconds>", "session length asked of STS (900-43200)", positiveInt(43_200), 3600)
    .option("--app <slug>", "the app to sign in through, when the role is reachable through several");

interface RoleOptions extends AwsOptions {
  role: string;
  duration: number;
  app?: string;
}

async function credentials(opts: RoleOptions) {
  const ctx = await context(opts);
  if (opts.duration < 900) throw new CliError("--duration must be at least 900 seconds");
  const { credentialsFor } = await import("../aws/credentials.js");
  const request = {
    url: ctx.url,
    role: opts.role,
    duration: opts.duration,
    stsEndpoint: ctx.stsEndpoint,
    region: ctx.region,
    ...(opts.app ? { app: opts.app } : {}),
  };
  return { ctx, creds: await credentialsFor(ctx.dir, request) };
}

export function registerAwsCommands(program: Command): void {
  const aws = program
    .command("aws")
    .description("AWS credentials for the command line: sign in once, then credential_process, exec, console");

  withServer(aws.command("login").description("Sign in through the browser (device code); prints a link and a code"))
    .option("--no-browser", "only print the link, do not try to open a browser")
    .option("--json", "print the link and code as one JSON line")
    .action(async (opts: AwsOptions & { browser: boolean }) => {
      const ctx = await context(opts);
      const { login } = await import("../aws/login.js");
      const remember = {
        ...(opts.stsEndpoint ? { stsEndpoint: opts.stsEndpoint } : {}),
        ...(opts.region ? { region: opts.region } : {}),
      };
      await login(ctx.dir, ctx.url, remember, { browser: opts.browser, json: Boolean(opts.json) });
    });

  withServer(aws.command("roles").description("Every AWS role you have, as alias/role"))
    .option("--json", "print JSON")
    .action(async (opts: AwsOptions) => {
      const ctx = await context(opts);
      const { listRoles } = await import("../aws/credentials.js");
      const roles = await listRoles(ctx.dir, ctx.url);
      if (opts.json) return printJson(roles);
      printTable(
        ["ROLE", "ACCOUNT", "APP", "ARN"],
        roles.map((r) => [r.name, r.accountId, r.app, r.roleArn]),
      );
    });

  withRole(aws.command("credentials").description("Print credential_process JSON for a role (never prompts)")).action(
    async (opts: RoleOptions) => {
      const { creds } = await credentials(opts);
      printLine(JSON.stringify(creds));
    },
  );

  withServer(aws.command("configure").description("Write an AWS CLI profile per role into ~/.aws/config"))
    .option("--prefix <prefix>", "put this before every profile name", "")
    .option("--duration <seconds>", "session length for every profile", positiveInt(43_200))
    .action(async (opts: AwsOptions & { prefix: string; duration?: number }) => {
      const ctx = await context(opts);
      const { listRoles } = await import("../aws/credentials.js");
      const { awsConfigPath, credentialProcess, profileNames, writeProfiles } = await import("../aws/configure.js");
      const named = profileNames(opts.prefix, await listRoles(ctx.dir, ctx.url));
      const profiles = named.map(({ name, role, suffixed }) => {
        const flags = ["--url", ctx.url, "--role", role.roleArn];
        // The same role through two apps: each profile signs in through its own app (and caches apart).
        if (suffixed.includes("app")) flags.push("--app", role.app);
        if (opts.stsEndpoint) flags.push("--sts-endpoint", opts.stsEndpoint);
        if (opts.region) flags.push("--region", opts.region);
        if (opts.duration) flags.push("--duration", String(opts.duration));
        return { name, settings: { credential_process: credentialProcess(flags) } };
      });
      const path = awsConfigPath();
      const { added, updated } = writeProfiles(path, profiles);
      const suffixed = named.filter((n) => n.suffixed.length);
      if (opts.json) return printJson({ path, added, updated });
      printLine(`${path}: ${added.length} profile(s) added, ${updated.length} rewritten.`);
      if (suffixed.length) {
        printLine(`${suffixed.length} role(s) share a name with another role (through another app or account);`);
        printLine("their profiles carry the app slug or account id:");
        for (const n of suffixed) printLine(`  ${n.name}: ${n.role.name} via ${n.role.app} (${n.role.roleArn})`);
      }
      for (const p of profiles) printLine(`  aws --profile ${p.name} sts get-caller-identity`);
    });

  withRole(aws.command("exec").description("Run a command with a role's credentials in its environment"))
    .argument("<command...>", "the command and its arguments, after --")
    .action(async (command: string[], opts: RoleOptions) => {
      const { ctx, creds } = await credentials(opts);
      const { spawn } = await import("node:child_process");
      const { constants } = await import("node:os");
      const env = { ...process.env };
      // A profile in the environment would win over the keys in some tools; the keys are what we mean.
      delete env.AWS_PROFILE;
      delete env.AWS_DEFAULT_PROFILE;
      Object.assign(env, {
        AWS_ACCESS_KEY_ID: creds.AccessKeyId,
        AWS_SECRET_ACCESS_KEY: creds.SecretAccessKey,
        AWS_SESSION_TOKEN: creds.SessionToken,
        AWS_CREDENTIAL_EXPIRATION: creds.Expiration,
        ...(ctx.region ? { AWS_REGION: ctx.region, AWS_DEFAULT_REGION: ctx.region } : {}),
      });
      const child = spawn(command[0]!, command.slice(1), { stdio: "inherit", env });
      const code = await new Promise<number>((done) => {
        child.on("error", (err) => {
          process.stderr.write(`rolebridge: cannot run ${command[0]}: ${err.message}\n`);
          done(127);
        });
        child.on("exit", (status, signal) => done(status ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)));
      });
      process.exitCode = code;
    });

  withRole(aws.command("console").description("Print an AWS console sign-in URL for a role (as aws-vault does)"))
    .option("--federation-endpoint <url>", "AWS federation endpoint (default: the partition's)")
    .option("--destination <url>", "console page to land on")
    .option("--open", "also open it in a browser")
    .action(async (opts: RoleOptions & { federationEndpoint?: string; destination?: string; open?: boolean }) => {
      const { ctx, creds } = await credentials(opts);
      const { consoleUrl, partitionOfArn } = await import("../aws/console.js");
      const partition = opts.role.startsWith("arn:") ? partitionOfArn(opts.role) : "aws";
      const url = await consoleUrl(creds, partition, {
        federationEndpoint: opts.federationEndpoint,
        destination: opts.destination,
        issuer: ctx.url,
      });
      printLine(url);
      if (opts.open) {
        const { spawn } = await import("node:child_process");
        const opener = process.platform === "darwin" ? "open" : "xdg-open";
        spawn(opener, [url], { stdio: "ignore", detached: true })
          .on("error", () => undefined)
          .unref();
      }
    });

  withServer(aws.command("logout").description("End the sign-in on the server and delete cached credentials")).action(
    async (opts: AwsOptions) => {
      const ctx = await context(opts);
      const { logout } = await import("../aws/login.js");
      printLine(await logout(ctx.dir, ctx.url));
    },
  );
}
