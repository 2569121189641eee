/**
 * The plan's role groups and memberships as the CSV files `rolebridge import` reads (docs/import.md): to create
 * the groups in another directory (Active Directory, LDAP) that syncs them back, or in another rolebridge.
 * A CSV has no rules: members a rule would add are listed as they are today.
 */
import type { Inventory } from "./model.js";
import type { Plan } from "./plan-model.js";

const field = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const line = (...fields: string[]) => fields.map(field).join(",");

export function planCsv(plan: Plan, inventory: Inventory): { groups: string; memberships: string } {
  const login = new Map(inventory.people.map((p) => [p.id, p.login]));
  const groups = [line("name", "description", "source")];
  const memberships = [line("group", "user", "source")];
  for (const g of plan.roleGroups) {
    groups.push(line(g.name, `AWS role ${g.roleArn}`, g.source));
    const members = new Set(g.members);
    for (const from of g.ruleFrom) for (const m of inventory.groupMembers[from] ?? []) members.add(m);
    for (const m of [...members].map((id) => login.get(id) ?? id).sort()) memberships.push(line(g.name, m, g.source));
  }
  return { groups: `${groups.join("\n")}\n`, memberships: `${memberships.join("\n")}\n` };
}
