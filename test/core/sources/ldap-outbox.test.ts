import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAppWithKey } from "../../../src/core/apps/create.js";
import { systemActor } from "../../../src/core/audit.js";
import type { Runtime } from "../../../src/runtime.js";
import { backends } from "../../helpers/backends.js";
import { GROUPS_BASE, PEOPLE_BASE, personDn, seedLdif } from "../../helpers/ldap-seed.js";
import { testRuntime } from "../../helpers/runtime.js";
import { READER_DN, READER_PW, type Slapd, startSlapd } from "../../helpers/slapd.js";

describe.each(backends)("a directory sync feeds provisioning's outbox ($name)", (backend) => {
  let slapd: Slapd;
  let rt: Runtime;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    slapd = await startSlapd(seedLdif(6));
    await new Promise((r) => setTimeout(r, 1100));
    slapd.modify(`dn: cn=all-staff,${GROUPS_BASE}\nchangetype: modify\nreplace: description\ndescription: x\n`);
    ({ runtime: rt, cleanup } = await testRuntime(backend));
    // Never contacted here: only its existence makes directory changes queue provisioning work.
    await createAppWithKey(rt, systemActor, {
      slug: "scim",
      type: "generic-scim2",
      label: "SCIM",
      settings: { baseUrl: "http://127.0.0.1:9/scim/v2" },
    });
    await rt.sources.addLdap(systemActor, {
      name: "corp_ldap",
      url: slapd.url,
      bindDn: READER_DN,
      bindPassword: READER_PW,
      peopleBase: PEOPLE_BASE,
      groupsBase: GROUPS_BASE,
    });
  }, 60_000);
  afterAll(async () => {
    await cleanup?.();
    await slapd?.cleanup();
  });

  it("queues each changed person and group in the sync's transaction; a quiet sync queues nothing", async () => {
    const before = await rt.store.outbox.depth();
    await rt.sources.sync(systemActor, "corp_ldap", { kind: "full" });
    // 6 people and 3 groups whose members changed.
    expect((await rt.store.outbox.depth()) - before).toBe(6 + 3);

    const quiet = await rt.store.outbox.depth();
    await rt.sources.sync(systemActor, "corp_ldap", { kind: "full" });
    expect(await rt.store.outbox.depth()).toBe(quiet);

    await new Promise((r) => setTimeout(r, 1100));
    slapd.modify(`dn: ${personDn(3)}\nchangetype: modify\nreplace: sn\nsn: Renamed\n`);
    await rt.sources.sync(systemActor, "corp_ldap", { kind: "incremental" });
    expect((await rt.store.outbox.depth()) - quiet).toBe(1);
  });
});
