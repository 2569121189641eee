import type { QueryService } from "../protocol/dispatch.js";
import { accessKeyOperations } from "./access-keys.js";
import { aliasOperations } from "./aliases.js";
import { policyOperations } from "./policies.js";
import { roleOperations } from "./roles.js";
import { samlProviderOperations } from "./saml-providers.js";
import { userOperations } from "./users.js";

export const iamService: QueryService = {
  version: "2010-05-08",
  namespace: "https://iam.amazonaws.com/doc/2010-05-08/",
  operations: {
    ...roleOperations,
    ...userOperations,
    ...accessKeyOperations,
    ...policyOperations,
    ...aliasOperations,
    ...samlProviderOperations,
  },
};
