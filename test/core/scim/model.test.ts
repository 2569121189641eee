import { describe, expect, it } from "vitest";
import type { User } from "../../../src/core/directory/model.js";
import {
  awsIdentityCenterProfile,
  desiredUserFromDirectory,
  diffUser,
  fromScimUser,
  genericScim2Profile,
  toScimUser,
  validateUserForProfile,
} from "../../../src/core/scim/index.js";
import { makeUser } from "./helpers.js";

function directoryUser(overrides: Partial<User["profile"]> = {}, status: User["status"] = "ACTIVE"): User {
  const at = "2026-01-01T00:00:00.000Z";
  return {
    id: "usr_01JABC",
    profile: {
      login: "ada@example.com",
      email: "ada@example.com",
      firstName: "Ada",
      lastName: "Lovelace",
      displayName: null,
      ...overrides,
    },
    status,
    created: at,
    lastUpdated: at,
    statusChanged: at,
    passwordChanged: null,
    lastLogin: null,
    version: 1,
  };
}

describe("mapping directory users", () => {
  it("uses our id as externalId, the login as userName, and derives a display name", () => {
    expect(desiredUserFromDirectory(directoryUser())).toEqual({
      externalId: "usr_01JABC",
      userName: "ada@example.com",
      givenName: "Ada",
      familyName: "Lovelace",
      displayName: "Ada Lovelace",
      email: "ada@example.com",
      active: true,
    });
  });

  it("only ACTIVE people are active on the target", () => {
    for (const status of ["STAGED", "SUSPENDED", "DEPROVISIONED"] as const) {
      expect(desiredUserFromDirectory(directoryUser({}, status)).active).toBe(false);
    }
  });

  it("writes one primary email and leaves empty attributes out", () => {
    const body = toScimUser(makeUser(1, { givenName: "", email: "" }));
    expect(body.name).toEqual({ familyName: "Family1" });
    expect(body).not.toHaveProperty("emails");
    expect(toScimUser(makeUser(2)).emails).toEqual([{ value: "person0002@example.com", type: "work", primary: true }]);
  });

  it("reads a SCIM user back to the same desired shape, so an unchanged user diffs to nothing", () => {
    const user = makeUser(3);
    const remote = fromScimUser({ ...toScimUser(user), id: "r3" });
    expect(diffUser(user, remote)).toEqual([]);
    expect(diffUser({ ...user, familyName: "New", active: false }, remote)).toEqual(["familyName", "active"]);
  });
});

describe("validation per profile", () => {
  it("AWS needs userName, displayName, givenName and familyName", () => {
    const user = desiredUserFromDirectory(directoryUser({ lastName: null, firstName: null, displayName: null }));
    expect(validateUserForProfile(awsIdentityCenterProfile, user).map((e) => e.path)).toEqual([
      "/displayName",
      "/name/givenName",
      "/name/familyName",
    ]);
  });

  it("a generic SCIM 2.0 target only needs userName", () => {
    const user = desiredUserFromDirectory(directoryUser({ lastName: null, firstName: null }));
    expect(validateUserForProfile(genericScim2Profile, user)).toEqual([]);
    expect(validateUserForProfile(genericScim2Profile, { ...user, userName: " " })).toHaveLength(1);
  });
});
