import type { Command } from "commander";
import { buildAwsSignIn } from "../../core/apps/aws-sign-in.js";
import type { AssignmentRule, IgnoredGroupAssignment, RoleReason } from "../../core/rolemap/types.js";
import { type CommonOptions, withCommonOptions, withRuntime } from "../context.js";
import { printJson, printLine } from "../output.js";

/** `rolebridge saml preview|metadata` and `rolebridge explain`: what AWS would receive, and why. */
export function registerSamlCommands(program: Command): void {
  const saml = program.command("saml").description("SAML: preview a user's Response, print IdP metadata");

  withCommonOptions(
    saml
      .command("preview")
      .description("Print the signed SAMLResponse a user would post to AWS (base64, last line of stdout)")
      .requiredOption("--app <app>", "app slug or id")
      .requiredOption("--user <login>", "user login or id")
      .option("--xml", "print the decoded XML instead"),
  ).action((opts: CommonOptions & { app: string; user: string; xml?: boolean }) =>
    withRuntime(opts, async (rt) => {
      const app = await rt.apps.get(opts.app);
      const user = await rt.directory.users.get(opts.user);
      // An administrator previews someone else's sign-in: refusals name the person ("erin@… is not assigned").
      const signIn = await buildAwsSignIn(
        { store: rt.store, keys: rt.signingKeys, publicUrl: rt.publicUrl, clock: rt.clock, voice: "admin" },
        app,
        user,
      );
      if (opts.json) {
        return printJson({
          acsUrl: signIn.acsUrl,
          roles: signIn.entitlements.roles.map((r) => r.roleArn),
          samlResponse: signIn.response.base64,
        });
      }
      if (opts.xml) return printLine(signIn.response.xml);
      process.stderr.write(`${signIn.response.roleCount} role(s); post to ${signIn.acsUrl}\n`);
      printLine(signIn.response.base64);
    }),
  );

  withCommonOptions(
    saml
      .command("metadata")
      .description("Print the app's IdP metadata XML (upload it to AWS as the SAML provider)")
      .requiredOption("--app <app>", "app slug or id"),
  ).action((opts: CommonOptions & { app: string }) =>
    withRuntime(opts, async (rt) => {
      printLine(await rt.signingKeys.metadata(await rt.apps.get(opts.app), rt.publicUrl));
    }),
  );

  withCommonOptions(
    program
      .command("explain")
      .description("Which AWS roles a user gets from an app, and why — the answer sign-in uses")
      .requiredOption("--app <app>", "app slug or id")
      .requiredOption("--user <login>", "user login or id"),
  ).action((opts: CommonOptions & { app: string; user: string }) =>
    withRuntime(opts, async (rt) => {
      const result = await rt.apps.explain(opts.app, await rt.directory.users.get(opts.user));
      if (opts.json) return printJson(result);
      if (result.blockedBecause) printLine(`Blocked: ${result.blockedBecause}`);
      if (!result.assigned) printLine("Not assigned to the app (neither directly nor through a group).");
      else printLine(`Assignment rule: ${RULE_TEXT[result.assignmentRule]}.`);
      printLine(`${result.roles.length} role(s):`);
      for (const r of result.roles)
        printLine(`  ${r.roleArn}  (provider ${r.providerArn}) — ${r.reasons.map(reasonText).join("; ")}`);
      for (const g of result.rejectedByAppFilter)
        printLine(`  ignored ${g.groupName}: source ${g.source} is not in the App Filter`);
      for (const g of result.unmatchedByGroupFilter)
        printLine(`  ignored ${g.groupName}: does not match the Group Filter`);
      for (const g of result.invalidRenders) printLine(`  invalid ${g.groupName}: ${g.reason}`);
      for (const a of result.invalidAssignments) printLine(`  invalid assignment ${a.roleArn}: ${a.reason}`);
      for (const h of result.heldByRules)
        printLine(`  member of ${h.groupName} through membership rule ${h.ruleId} (members of ${h.fromGroupName})`);
      for (const a of result.ignoredGroupAssignments)
        printLine(`  not granted ${a.roleArn} from ${a.groupName}: ${ignoredText(a)}`);
    }),
  );
}

const RULE_TEXT: Record<AssignmentRule, string> = {
  own: "own assignment only (Join all roles is off)",
  "own+groups": "own assignment plus every assigned group's roles (Join all roles is on)",
  "groups-combine": "assigned through groups only: the union of their groups' roles",
  "groups-priority": "assigned through groups only: the highest-priority group assignment's roles",
  none: "no assignment reaches this person",
};

function reasonText(x: RoleReason): string {
  if (x.kind === "user-assignment") return "assigned to the person";
  if (x.kind === "group-mapping") return `group-mapping via ${x.groupName}`;
  const priority = x.priority === null || x.priority === undefined ? "" : `, priority ${x.priority}`;
  return `group-assignment via ${x.groupName} (${x.rule}${priority})`;
}

function ignoredText(a: IgnoredGroupAssignment): string {
  if (a.reason === "join_all_roles_off") return "the person has their own assignment and Join all roles is off";
  const w = a.winner;
  return `lost on priority (${a.priority ?? "none"}) to ${w ? `${w.groupName} (priority ${w.priority ?? "none"})` : "a higher one"}`;
}
