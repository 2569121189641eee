import { READER_DN, READER_PW, SUFFIX } from "./slapd.js";

export const PEOPLE_BASE = `ou=people,${SUFFIX}`;
export const GROUPS_BASE = `ou=groups,${SUFFIX}`;

export const uid = (i: number) => `user${String(i).padStart(4, "0")}`;
export const personDn = (i: number) => `uid=${uid(i)},${PEOPLE_BASE}`;

export function personLdif(i: number, extra = ""): string {
  return `dn: ${personDn(i)}
objectClass: inetOrgPerson
uid: ${uid(i)}
cn: Person ${i}
givenName: Person
sn: Number${i}
mail: ${uid(i)}@example.com
userPassword: pw-${uid(i)}
${extra}`;
}

/**
 * The directory the LDAP tests start from: `people` people; `engineers` holds all of them (more than AD's 1,500
 * values per range, and more than the reader's size limit of 500 entries); `team-a` holds the first three;
 * `all-staff` holds team-a (nested) and person `people`; person 2 is locked (ppolicy), i.e. disabled.
 * Someone under ou=contractors is outside the people base.
 */
export function seedLdif(people: number): string {
  const parts = [
    `dn: ${SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n`,
    `dn: ${READER_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: reader\nuserPassword: ${READER_PW}\n`,
    `dn: ${PEOPLE_BASE}\nobjectClass: organizationalUnit\nou: people\n`,
    `dn: ${GROUPS_BASE}\nobjectClass: organizationalUnit\nou: groups\n`,
    `dn: ou=contractors,${SUFFIX}\nobjectClass: organizationalUnit\nou: contractors\n`,
    `dn: uid=outsider,ou=contractors,${SUFFIX}\nobjectClass: inetOrgPerson\nuid: outsider\ncn: Outsider\nsn: Outsider\nmail: outsider@example.com\n`,
  ];
  for (let i = 1; i <= people; i++) parts.push(personLdif(i, i === 2 ? "pwdAccountLockedTime: 000001010000Z\n" : ""));
  const members = Array.from({ length: people }, (_, k) => `member: ${personDn(k + 1)}`).join("\n");
  parts.push(
    `dn: cn=engineers,${GROUPS_BASE}\nobjectClass: groupOfNames\ncn: engineers\ndescription: Everyone\n${members}\n`,
  );
  parts.push(
    `dn: cn=team-a,${GROUPS_BASE}\nobjectClass: groupOfUniqueNames\ncn: team-a\n${[1, 2, 3].map((i) => `uniqueMember: ${personDn(i)}`).join("\n")}\n`,
  );
  parts.push(
    `dn: cn=all-staff,${GROUPS_BASE}\nobjectClass: groupOfNames\ncn: all-staff\nmember: cn=team-a,${GROUPS_BASE}\nmember: ${personDn(people)}\n`,
  );
  return parts.join("\n");
}
