import type { Store } from "../../store/contract.js";
import type { DirectorySourceRow } from "../../store/contract-sources.js";
import { DomainError } from "../errors.js";
import type { LdapConnection } from "./ldap-client.js";
import { dnKey } from "./ldap-read.js";

/**
 * Write-back of role groups: rolebridge's `aws#…` groups created in the directory (in a chosen OU), with those of
 * their members who come from this directory — the migration plan's "create role groups in AD/LDAP" option.
 * Planned first (dry run); applying creates what is missing and adds missing members, never removes anything.
 */
export interface WriteBackItem {
  name: string;
  dn: string;
  action: "create" | "add-members" | "unchanged" | "refused";
  /** Members written (or to write): people of this source in the rolebridge group. */
  members: number;
  /** People in the rolebridge group who are not from this directory and so cannot be members there. */
  notInDirectory: number;
  reason?: string;
}

/** Characters a DN must escape, and AD's sAMAccountName refuses: a directory would mangle or refuse them. */
const DN_SPECIAL = /[,+"\\<>;=]/;
const AD_REFUSED = /[/[\]:|*?]/;
/** AD's limit for a cn (the RDN's upper bound); OpenLDAP takes more but the name must survive both. */
const MAX_CN = 64;

export function nameProblem(name: string, preset: DirectorySourceRow["settings"]["preset"]): string | null {
  if (name.length > MAX_CN) return `longer than ${MAX_CN} characters (a directory would truncate or refuse it)`;
  if (name !== name.trim()) return "starts or ends with white space (a directory would strip it)";
  if (name.startsWith("#")) return "starts with # (a DN would read it as a hex value)";
  if (DN_SPECIAL.test(name)) return 'holds one of , + " \\ < > ; = (a DN would have to escape it)';
  if (preset === "active-directory" && AD_REFUSED.test(name)) return "holds one of / [ ] : | * ? (AD refuses it)";
  return null;
}

export async function writeBackRoleGroups(
  store: Store,
  source: DirectorySourceRow,
  openConnection: () => Promise<LdapConnection>,
  opts: { ou: string; prefix: string; apply: boolean },
): Promise<WriteBackItem[]> {
  const local = (await store.groups.list({ source: "local", q: opts.prefix }, { limit: 1000 })).items.filter((g) =>
    g.name.startsWith(opts.prefix),
  );
  if (!local.length) return [];
  const conn = await openConnection();
  try {
    const items: WriteBackItem[] = [];
    const seen = new Map<string, string>();
    for (const g of local) {
      const dn = `cn=${g.name},${opts.ou}`;
      const members = await store.memberships.membersOfGroup(g.id, { limit: 100_000 });
      const dns: string[] = [];
      let notInDirectory = 0;
      for (const u of members.items) {
        const link = await store.directorySources.sourceOfPerson(u.id);
        if (link && link.sourceId === source.id) dns.push(link.dn);
        else notInDirectory++;
      }
      const item: WriteBackItem = { name: g.name, dn, action: "create", members: dns.length, notInDirectory };
      const problem = nameProblem(g.name, source.settings.preset);
      const twin = seen.get(g.name.toLowerCase());
      if (problem || twin) {
        // The directory compares names without case: two such groups would become one.
        items.push({ ...item, action: "refused", reason: problem ?? `differs from ${twin} only in case` });
        continue;
      }
      seen.set(g.name.toLowerCase(), g.name);
      if (!dns.length && source.settings.preset === "openldap") {
        items.push({ ...item, action: "refused", reason: "no member from this directory (groupOfNames needs one)" });
        continue;
      }
      const existing = await conn.read(dn, ["member"]);
      if (existing) {
        const have = new Set(
          (Array.isArray(existing.member) ? existing.member : existing.member ? [existing.member] : []).map((v) =>
            dnKey(String(v)),
          ),
        );
        const missing = dns.filter((d) => !have.has(dnKey(d)));
        items.push({ ...item, action: missing.length ? "add-members" : "unchanged", members: missing.length });
        if (opts.apply && missing.length) await conn.addValues(dn, "member", missing);
        continue;
      }
      items.push(item);
      if (opts.apply) {
        const attributes: Record<string, string[]> =
          source.settings.preset === "active-directory"
            ? { objectClass: ["top", "group"], cn: [g.name], sAMAccountName: [g.name], member: dns }
            : { objectClass: ["groupOfNames"], cn: [g.name], member: dns };
        if (!dns.length) delete attributes.member;
        await conn.add(dn, attributes);
      }
    }
    return items;
  } finally {
    await conn.close();
  }
}

export function assertOu(ou: string): void {
  if (!ou.includes("=") || ou.length > 1024)
    throw new DomainError("validation_failed", "the OU must be a distinguished name", {
      errors: [{ path: "/ou", message: "must be a distinguished name (e.g. ou=aws,ou=groups,dc=example,dc=com)" }],
    });
}
