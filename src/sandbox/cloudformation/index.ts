import type { QueryService } from "../protocol/dispatch.js";
import { changeSetOperations } from "./change-sets.js";
import { stackOperations } from "./stacks.js";
import { summaryOperations } from "./summary.js";

/** CloudFormation over the Query protocol, for the resource types in resources.ts (see docs/sandbox.md). */
export const cloudFormationService: QueryService = {
  version: "2010-05-15",
  namespace: "http://cloudformation.amazonaws.com/doc/2010-05-15/",
  operations: { ...stackOperations, ...changeSetOperations, ...summaryOperations },
};
