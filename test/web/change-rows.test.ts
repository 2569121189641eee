import { describe, expect, it } from "vitest";
import { changeRows, flatten, splitSummary } from "../../web/src/components/change-rows.js";

describe("the System Log's before/after rows", () => {
  it("flattens nested fields to dotted paths and shows scalars and arrays on one line", () => {
    expect([...flatten({ name: "ops", settings: { api: { enabled: true } }, roles: ["a", "b"], empty: {} })]).toEqual([
      ["name", "ops"],
      ["settings.api.enabled", "true"],
      ["roles", '["a","b"]'],
      ["empty", "{}"],
    ]);
  });

  it("pairs each field's before and after, marking only what changed, with — for a side that lacks it", () => {
    const rows = changeRows(
      { name: "finance", description: null, settings: { duration: 3600, filter: "x" } },
      { name: "finance-team", description: null, settings: { duration: 3600 }, externalId: "e1" },
    );
    expect(rows).toEqual([
      { field: "name", before: "finance", after: "finance-team", changed: true },
      { field: "description", before: "(none)", after: "(none)", changed: false },
      { field: "settings.duration", before: "3600", after: "3600", changed: false },
      { field: "settings.filter", before: "x", after: "—", changed: true },
      { field: "externalId", before: "—", after: "e1", changed: true },
    ]);
    // A creation: nothing before.
    expect(changeRows(undefined, { status: "ACTIVE" })).toEqual([
      { field: "status", before: "—", after: "ACTIVE", changed: true },
    ]);
  });

  it("splits a summary into before, after and the other details; one without either is left alone", () => {
    expect(splitSummary({ before: { a: 1 }, after: { a: 2 }, reason: "x" })).toEqual({
      before: { a: 1 },
      after: { a: 2 },
      rest: { reason: "x" },
    });
    expect(splitSummary({ keyId: "k1" })).toBeNull();
  });
});
