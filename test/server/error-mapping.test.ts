import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { DomainError, ERROR_CODES, type ErrorCode } from "../../src/core/errors.js";
import { GroupFilterSyntaxError } from "../../src/core/rolemap/errors.js";
import { SamlResponseTooLargeError } from "../../src/core/saml/errors.js";
import { ScimError } from "../../src/core/scim/errors.js";
import { toHttpError } from "../../src/server/errors.js";

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );

describe("the HTTP shell maps errors through the one table", () => {
  it("answers every declared code with the table's status", () => {
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      const answer = toHttpError(new DomainError(code, "m"));
      expect([code, answer?.statusCode]).toEqual([code, ERROR_CODES[code].status]);
    }
  });

  it("never turns a rolemap or SAML error into a 500", () => {
    expect(toHttpError(new GroupFilterSyntaxError("(", 0, "missing )"))).toMatchObject({
      statusCode: 400,
      code: "group_filter_syntax",
      details: { position: 0 },
    });
    expect(toHttpError(new SamlResponseTooLargeError(900, 150_000, 100_000))).toMatchObject({
      statusCode: 422,
      code: "saml_response_too_large",
    });
  });

  it("answers our database dropping the connection with 503 store_unavailable; a refused statement stays a 500", () => {
    const terminated = Object.assign(new Error("terminating connection due to administrator command"), {
      code: "57P01",
    });
    for (const err of [
      terminated,
      new Error("Connection terminated unexpectedly"),
      new Error("Client has encountered a connection error and is not queryable"),
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
    ]) {
      expect(toHttpError(err)).toMatchObject({ statusCode: 503, code: "store_unavailable" });
    }
    expect(toHttpError(Object.assign(new Error('syntax error at or near "SELEC"'), { code: "42601" }))).toBeNull();
  });

  it("answers a SCIM target's refused token with 502, never our own 401 and WWW-Authenticate", () => {
    const body = { detail: "Unauthorized", status: "401", scimType: null, requestId: null };
    const answer = toHttpError(new ScimError("auth", 401, body, "GET /Users: 401 Unauthorized"));
    expect(answer).toMatchObject({ statusCode: 502, code: "remote_failed", details: { remoteStatus: 401 } });
    expect(answer?.headers["www-authenticate"]).toBeUndefined();
  });

  it("does not reach into the storage implementation", () => {
    const server = resolve(import.meta.dirname, "../../src/server");
    const offenders = filesUnder(server).filter((f) => /from "[^"]*store\/kysely\//.test(readFileSync(f, "utf8")));
    expect(offenders).toEqual([]);
  });
});
