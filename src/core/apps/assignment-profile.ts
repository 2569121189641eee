import { type Static, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { type FieldError, validationFailed } from "../errors.js";
import { type AwsPartition, parseProviderArn, parseRoleArn } from "../rolemap/arn.js";
import type { AssignedRole } from "../rolemap/types.js";

/** What an assignment on an AWS Account Federation app carries: the "SAML User Roles". */
export const AwsAssignmentProfileSchema = Type.Object(
  {
    samlRoles: Type.Array(
      Type.Object(
        { roleArn: Type.String({ maxLength: 2048 }), providerArn: Type.Optional(Type.String({ maxLength: 2048 })) },
        { additionalProperties: false },
      ),
      { default: [], maxItems: 1000 },
    ),
  },
  { additionalProperties: false },
);

export type AwsAssignmentProfile = Static<typeof AwsAssignmentProfileSchema>;

export function validateAwsAssignmentProfile(input: unknown, partition: AwsPartition): AwsAssignmentProfile {
  const value = Value.Default(AwsAssignmentProfileSchema, structuredClone(input ?? {}));
  const shape = [...Value.Errors(AwsAssignmentProfileSchema, value)];
  if (shape.length) {
    throw validationFailed(
      "the assignment profile is invalid",
      shape.slice(0, 20).map((e) => ({ path: `/profile${e.path}`, message: e.message })),
    );
  }
  const profile = value as AwsAssignmentProfile;
  const errors: FieldError[] = [];
  profile.samlRoles.forEach((r, i) => {
    const role = parseRoleArn(r.roleArn, partition);
    if (!role.ok) errors.push({ path: `/profile/samlRoles/${i}/roleArn`, message: role.reason });
    if (r.providerArn !== undefined) {
      const provider = parseProviderArn(r.providerArn, partition);
      if (!provider.ok) errors.push({ path: `/profile/samlRoles/${i}/providerArn`, message: provider.reason });
      else if (role.ok && provider.value.accountId !== role.value.accountId) {
        errors.push({
          path: `/profile/samlRoles/${i}/providerArn`,
          message: "the provider must be in the role's account",
        });
      }
    }
  });
  if (errors.length) throw validationFailed("the assignment profile is invalid", errors);
  return profile;
}

export function assignedRolesOf(profile: Record<string, unknown>): AssignedRole[] {
  const roles = (profile as Partial<AwsAssignmentProfile>).samlRoles ?? [];
  return roles.map((r) =>
    r.providerArn ? { roleArn: r.roleArn, providerArn: r.providerArn } : { roleArn: r.roleArn },
  );
}
