import { describe, expect, it } from "vitest";
import {
  type AwsSignOnSettings,
  DEFAULT_GROUP_FILTER,
  DEFAULT_ROLE_VALUE_PATTERN,
  type GroupAssignedRoles,
  type GroupRef,
  resolveRoles,
} from "../../../src/core/rolemap/index.js";

// The table in docs/aws-account-federation.md ("Who gets which role"), one case per row.
const A = "111111111111";
const role = (name: string) => `arn:aws:iam::${A}:role/${name}`;
const base: AwsSignOnSettings = {
  partition: "aws",
  identityProviderArn: `arn:aws:iam::${A}:saml-provider/rolebridge`,
  useGroupMapping: false,
  appFilter: "local",
  groupFilter: DEFAULT_GROUP_FILTER,
  roleValuePattern: DEFAULT_ROLE_VALUE_PATTERN,
  joinAllRoles: false,
};
const group = (id: string, name = id, source = "local"): GroupRef => ({ id, name, source });
const assigned = (groupId: string, names: string[], priority: number | null = null): GroupAssignedRoles => ({
  groupId,
  roles: names.map((n) => ({ roleArn: role(n) })),
  priority,
});

function roles(
  settings: Partial<AwsSignOnSettings>,
  person: { own?: string[]; groups: GroupRef[]; groupRoles: GroupAssignedRoles[] },
) {
  const result = resolveRoles({
    settings: { ...base, ...settings },
    groups: person.groups,
    userRoles: (person.own ?? []).map((n) => ({ roleArn: role(n) })),
    userAssigned: person.own !== undefined,
    groupRoles: person.groupRoles,
  });
  return { names: result.roles.map((r) => r.roleName), result };
}

describe("who gets which role (Okta's app-user scopes)", () => {
  // Okta's own example: own Role1, Role2 + group RoleA, RoleB.
  const okta = { own: ["Role1", "Role2"], groups: [group("g")], groupRoles: [assigned("g", ["RoleA", "RoleB"], 0)] };

  it("own assignment, Join all roles off: only the person's own roles (Okta's example)", () => {
    const { names, result } = roles({ joinAllRoles: false }, okta);
    expect(names).toEqual(["Role1", "Role2"]);
    expect(result.assignmentRule).toBe("own");
    expect(result.ignoredGroupAssignments.map((i) => [i.roleArn, i.reason])).toEqual([
      [role("RoleA"), "join_all_roles_off"],
      [role("RoleB"), "join_all_roles_off"],
    ]);
  });

  it("own assignment, Join all roles on: own roles plus every assigned group's (Okta's example: all four)", () => {
    const { names, result } = roles({ joinAllRoles: true }, okta);
    expect(names).toEqual(["Role1", "Role2", "RoleA", "RoleB"]);
    expect(result.assignmentRule).toBe("own+groups");
  });

  it("an own assignment with no roles still counts as the person's own: Join all roles off grants nothing", () => {
    const { names, result } = roles({}, { own: [], groups: [group("g")], groupRoles: [assigned("g", ["RoleA"], 0)] });
    expect(names).toEqual([]);
    expect(result.assignmentRule).toBe("own");
  });

  it("group-only person gets their group's roles whatever Join all roles says (the legacy-team report)", () => {
    const person = { groups: [group("legacy-team")], groupRoles: [assigned("legacy-team", ["ReadOnly"], 0)] };
    for (const joinAllRoles of [false, true]) {
      const { names, result } = roles({ joinAllRoles }, person);
      expect(names).toEqual(["ReadOnly"]);
      expect(result.assignmentRule).toBe("groups-combine");
      expect(result.roles[0]?.reasons).toEqual([
        {
          kind: "group-assignment",
          groupId: "legacy-team",
          groupName: "legacy-team",
          rule: "groups-combine",
          priority: 0,
        },
      ]);
    }
  });

  const twoGroups = {
    groups: [group("low"), group("high")],
    groupRoles: [assigned("low", ["Dev", "Shared"], 3), assigned("high", ["Admin", "Shared"], 1)],
  };

  it("group-only, combine (the default): the union across groups", () => {
    expect(roles({}, twoGroups).names).toEqual(["Admin", "Dev", "Shared"]);
    expect(roles({ groupAssignmentMode: "combine" }, twoGroups).names).toEqual(["Admin", "Dev", "Shared"]);
  });

  it("group-only, priority: only the highest-priority group assignment's roles; explain names the loser", () => {
    const { names, result } = roles({ groupAssignmentMode: "priority" }, twoGroups);
    expect(names).toEqual(["Admin", "Shared"]);
    expect(result.assignmentRule).toBe("groups-priority");
    expect(result.ignoredGroupAssignments).toEqual(
      ["Dev", "Shared"].map((n) => ({
        groupId: "low",
        groupName: "low",
        roleArn: role(n),
        priority: 3,
        reason: "lower_priority",
        winner: { groupId: "high", groupName: "high", priority: 1 },
      })),
    );
  });

  it("priority mode does not apply to a person with their own assignment", () => {
    const person = { own: ["Mine"], ...twoGroups };
    expect(roles({ groupAssignmentMode: "priority", joinAllRoles: true }, person).names).toEqual([
      "Admin",
      "Dev",
      "Mine",
      "Shared",
    ]);
    expect(roles({ groupAssignmentMode: "priority", joinAllRoles: false }, person).names).toEqual(["Mine"]);
  });

  it("group assignments of groups the person is not in never count", () => {
    const person = {
      groups: [group("mine")],
      groupRoles: [assigned("other", ["Secret"], 0), assigned("mine", ["Ok"], 1)],
    };
    expect(roles({ groupAssignmentMode: "priority" }, person).names).toEqual(["Ok"]);
  });

  describe("group mapping is added to either rule", () => {
    const roleGroup = group("rg", `aws#prod#Mapped#${A}`);
    const mapping = { useGroupMapping: true, appFilter: "local" };

    it.each([
      ["own, Join all roles off", { joinAllRoles: false }, { own: ["Mine"] }, ["Mapped", "Mine"]],
      ["own, Join all roles on", { joinAllRoles: true }, { own: ["Mine"] }, ["Mapped", "Mine", "Other", "Team"]],
      ["group-only, combine", { groupAssignmentMode: "combine" as const }, {}, ["Mapped", "Other", "Team"]],
      ["group-only, priority", { groupAssignmentMode: "priority" as const }, {}, ["Mapped", "Team"]],
      ["no assignment at all", {}, { none: true }, ["Mapped"]],
    ])("%s", (_name, settings, who, expected) => {
      const groupRoles = "none" in who ? [] : [assigned("team", ["Team"], 0), assigned("other", ["Other"], 1)];
      const person = {
        ...("own" in who ? { own: who.own } : {}),
        groups: [group("team"), group("other"), roleGroup],
        groupRoles,
      };
      expect(roles({ ...mapping, ...settings }, person).names).toEqual(expected);
    });
  });
});
