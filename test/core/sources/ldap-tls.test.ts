import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemActor } from "../../../src/core/audit.js";
import { DomainError } from "../../../src/core/errors.js";
import type { Runtime } from "../../../src/runtime.js";
import { backends } from "../../helpers/backends.js";
import { GROUPS_BASE, PEOPLE_BASE, seedLdif } from "../../helpers/ldap-seed.js";
import { testRuntime } from "../../helpers/runtime.js";
import { READER_DN, READER_PW, type Slapd, startSlapd } from "../../helpers/slapd.js";
import { makeTestCa, type TestCa } from "../../helpers/test-ca.js";

// TLS is about the connection, not the storage: one backend is enough.
const backend = backends[0]!;

describe("LDAP source over TLS (StartTLS and ldaps) with a test CA", () => {
  let ca: TestCa;
  let other: TestCa;
  let slapd: Slapd;
  let rt: Runtime;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ca = makeTestCa();
    other = makeTestCa();
    slapd = await startSlapd(seedLdif(5), { tls: { cert: ca.cert, key: ca.key } });
    ({ runtime: rt, cleanup } = await testRuntime(backend, {
      env: "production",
      publicUrl: "https://idp.example.com",
    }));
  }, 60_000);
  afterAll(async () => {
    await cleanup?.();
    await slapd?.cleanup();
    rmSync(ca.dir, { recursive: true, force: true });
    rmSync(other.dir, { recursive: true, force: true });
  });

  const add = (name: string, url: string, startTls: boolean, caBundle: string) =>
    rt.sources.addLdap(systemActor, {
      name,
      url,
      startTls,
      caBundle,
      bindDn: READER_DN,
      bindPassword: READER_PW,
      peopleBase: PEOPLE_BASE,
      groupsBase: GROUPS_BASE,
    });

  it("syncs over StartTLS and over ldaps when the server's certificate chains to the CA bundle", async () => {
    await add("tls_starttls", slapd.url, true, ca.caPem);
    expect((await rt.sources.sync(systemActor, "tls_starttls", { kind: "full" })).counts.people).toBe(5);
    await add("tls_ldaps", slapd.ldapsUrl as string, false, ca.caPem);
    expect((await rt.sources.sync(systemActor, "tls_ldaps", { kind: "full" })).counts.people).toBe(5);
  });

  it("refuses a certificate from another CA as a remote failure, before any bind", async () => {
    await add("tls_wrong_ca", slapd.url, true, other.caPem);
    const err = await rt.sources.sync(systemActor, "tls_wrong_ca", { kind: "full" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe("remote_failed");
    expect((err as DomainError).details).toMatchObject({ operation: "StartTLS" });
  });
});
