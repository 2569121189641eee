import type { Store } from "../../store/contract.js";
import { type Clock, systemClock } from "../ids.js";
import { GroupService } from "./groups-service.js";
import { MembershipRuleService } from "./membership-rules.js";
import { UserService } from "./users-service.js";

export interface Directory {
  users: UserService;
  groups: GroupService;
  rules: MembershipRuleService;
}

export function directory(store: Store, clock: Clock = systemClock): Directory {
  return {
    users: new UserService(store, clock),
    groups: new GroupService(store, clock),
    rules: new MembershipRuleService(store, clock),
  };
}

export { GroupService } from "./groups-service.js";
export { MembershipRuleService } from "./membership-rules.js";
export { UserService } from "./users-service.js";
