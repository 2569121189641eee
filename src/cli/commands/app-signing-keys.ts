import { type Command, Option } from "commander";
import { cliActor } from "../../core/audit.js";
import type { RsaKeySize } from "../../core/saml/keys.js";
import { type CommonOptions, withCommonOptions, withRuntime } from "../context.js";
import { printJson, printLine, printTable } from "../output.js";

export const bitsOption = () =>
  new Option("--bits <bits>", "RSA key size").choices(["2048", "3072", "4096"]).default("2048");
/** Commander hands choices over as strings; the key size is a number. */
export const bitsOf = (bits: string) => Number(bits) as RsaKeySize;

/** `rolebridge apps keys …`: SAML signing key rotation. */
export function registerKeyCommands(apps: Command): void {
  const keys = apps
    .command("keys")
    .description("SAML signing keys and rotation: add next, activate it, retire the old");
  withCommonOptions(keys.command("list").description("Signing keys of an app").argument("<app>", "slug or id")).action(
    (ref: string, opts: CommonOptions) =>
      withRuntime(opts, async (rt) => {
        const list = (await rt.signingKeys.list(await rt.apps.get(ref))).map(({ privateKeySealed: _p, ...k }) => k);
        if (opts.json) return printJson(list);
        printTable(
          ["ID", "STATE", "BITS", "CREATED", "ACTIVATED", "RETIRED"],
          list.map((k) => [k.id, k.state, k.bits, k.created, k.activated, k.retired]),
        );
      }),
  );
  withCommonOptions(
    keys
      .command("add")
      .description("Add the next key (published in metadata, not yet signing)")
      .argument("<app>", "slug or id")
      .addOption(bitsOption()),
  ).action((ref: string, opts: CommonOptions & { bits: string }) =>
    withRuntime(opts, async (rt) => {
      const k = await rt.signingKeys.create(cliActor(), await rt.apps.get(ref), "next", bitsOf(opts.bits));
      if (opts.json) return printJson({ id: k.id, state: k.state, bits: k.bits });
      printLine(`Added next key ${k.id}. Upload the new metadata to AWS, then: rolebridge apps keys activate ${ref}`);
    }),
  );
  withCommonOptions(
    keys.command("activate").description("Start signing with the next key").argument("<app>", "slug or id"),
  ).action((ref: string, opts: CommonOptions) =>
    withRuntime(opts, async (rt) => {
      const k = await rt.signingKeys.activateNext(cliActor(), await rt.apps.get(ref));
      if (opts.json) return printJson({ id: k.id, state: k.state });
      printLine(`Key ${k.id} now signs. Retire the previous key once AWS has the new metadata.`);
    }),
  );
  withCommonOptions(
    keys
      .command("retire")
      .description("Retire a previous key (removed from metadata)")
      .argument("<app>", "slug or id")
      .argument("<key>", "key id"),
  ).action((ref: string, keyId: string, opts: CommonOptions) =>
    withRuntime(opts, async (rt) => {
      const k = await rt.signingKeys.retire(cliActor(), await rt.apps.get(ref), keyId);
      if (opts.json) return printJson({ id: k.id, state: k.state });
      printLine(`Retired key ${k.id}.`);
    }),
  );
}
