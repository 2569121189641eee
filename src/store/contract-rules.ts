/** Storage contract for membership rules and the memberships they hold. */
import type { MembershipRule } from "../core/directory/model.js";

export interface MembershipRuleRepo {
  insert(rule: MembershipRule): Promise<MembershipRule>;
  get(id: string): Promise<MembershipRule | null>;
  delete(id: string): Promise<boolean>;
  /** Every rule, oldest first (rules are few: an admin writes each). */
  list(): Promise<MembershipRule[]>;
  /** The rules whose source group is one of these. */
  fromGroups(groupIds: readonly string[]): Promise<MembershipRule[]>;
  /** Records that the rule holds these people's membership of its target group (idempotent). */
  grant(ruleId: string, userIds: readonly string[]): Promise<void>;
  revoke(ruleId: string, userIds: readonly string[]): Promise<void>;
  /** Every person the rule holds. */
  granted(ruleId: string): Promise<string[]>;
  /** The rules into `toGroupId` that hold this person's membership of it. */
  holders(toGroupId: string, userId: string): Promise<MembershipRule[]>;
  /** Every rule that holds one of this person's memberships (explain). */
  heldForUser(userId: string): Promise<MembershipRule[]>;
}

export interface RuleHeldMembershipRepo {
  /** Makes these people members held by rules (not direct) where they are not members yet; returns who was added. */
  addHeld(groupId: string, userIds: readonly string[], at: string): Promise<string[]>;
  /** Removes memberships that are not direct and that no rule into the group holds any more; returns who left. */
  removeUnheld(groupId: string, userIds: readonly string[], at: string): Promise<string[]>;
  /** Whether the membership was made directly (false also when there is none). */
  isDirect(groupId: string, userId: string): Promise<boolean>;
}
