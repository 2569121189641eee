import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { DomainError } from "../../src/core/errors.js";
import { createLogger } from "../../src/runtime.js";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger({ logLevel: "info" }, stream), text: () => lines.join("") };
}

const SECRETS = ["tok-AAAA", "pw-BBBB", "key-CCCC", "sess-DDDD", "bearer-EEEE", "csrf-FFFF"];

describe("log redaction by key name, at any depth", () => {
  it("redacts {err: {details: {token}}} and secrets nested in arrays and errors", () => {
    const { logger, text } = capture();
    logger.error({ err: { details: { token: "tok-AAAA" } } }, "plain object");
    logger.error({ job: { steps: [{ input: { user: { password: "pw-BBBB" } } }] } }, "array");
    logger.error(
      { err: new DomainError("remote_failed", "refused", { request: { headers: { Authorization: "bearer-EEEE" } } }) },
      "domain error",
    );
    logger.warn({ a: { b: { c: { d: { e: { secretAccessKey: "key-CCCC", sessionId: "sess-DDDD" } } } } } }, "deep");
    logger.info({ body: { csrfToken: "csrf-FFFF", count: 3 } }, "camel case");
    const out = text();
    for (const secret of SECRETS) expect(out).not.toContain(secret);
    expect(out).toContain("[redacted]");
    expect(out).toContain('"count":3');
    expect(out).toContain("refused");
    expect(out).toContain(`"type":"DomainError"`);
  });

  it("survives cycles", () => {
    const { logger, text } = capture();
    const loop: Record<string, unknown> = { token: "tok-AAAA" };
    loop.self = loop;
    logger.info({ loop }, "cycle");
    expect(text()).not.toContain("tok-AAAA");
  });
});
