import type { QueryService } from "../protocol/dispatch.js";
import { AwsError, validationError } from "../protocol/errors.js";
import { type QueryHandler, requireCaller } from "../protocol/handlers.js";
import { optionalInteger, optionalString, RULES, requiredString } from "../protocol/params.js";
import { parseRoleValue } from "../saml/claims.js";
import { partitionOfArn, stsAudienceCheck } from "../saml/partitions.js";
import {
  decodeSamlResponse,
  findProvider,
  nameQualifier,
  notAuthorized,
  subjectType,
  verifySamlResponse,
} from "../saml/validate.js";
import { parseArn } from "../state/arns.js";
import { issueSession, renderCredentials } from "./credentials.js";
import { samlRoleFor } from "./saml-trust.js";

const SESSION_NAME = { min: 2, max: 64, pattern: /^[\w+=,.@-]*$/, patternText: "[\\w+=,.@-]*" };
const ROLE_CHAINING_LIMIT = 3600;

const getCallerIdentity: QueryHandler = async (ctx) => {
  // AWS answers GetCallerIdentity for any valid credentials, whatever the policies say.
  const caller = requireCaller(ctx);
  return { Arn: caller.arn, UserId: caller.userId, Account: caller.accountId };
};

const assumeRole: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const roleArn = requiredString(ctx.input, "RoleArn", RULES.arn);
  const sessionName = requiredString(ctx.input, "RoleSessionName", SESSION_NAME);
  const duration = optionalInteger(ctx.input, "DurationSeconds", 900, 43200) ?? 3600;
  const sourceIdentity = optionalString(ctx.input, "SourceIdentity", SESSION_NAME);
  for (const unsupported of ["Policy", "PolicyArns.member.1.arn", "Tags.member.1.Key", "SerialNumber"]) {
    if (ctx.input.has(unsupported)) {
      throw validationError(
        `The sandbox does not support ${unsupported.split(".")[0]} on AssumeRole (see docs/sandbox.md).`,
      );
    }
  }
  const denied = () =>
    new AwsError(
      "AccessDenied",
      `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      403,
    );
  const parsed = parseArn(roleArn);
  if (parsed?.service !== "iam" || !parsed.resource.startsWith("role/")) {
    throw validationError(`${roleArn} is invalid`);
  }
  const role = ctx.store.state.roles.find((r) => r.arn === roleArn);
  if (!role) throw denied();
  const trust = { resource: role.arn, resourceAccountId: role.accountId, resourcePolicy: role.trustPolicy };
  await ctx.authorize({ action: "sts:AssumeRole", ...trust }).catch((err) => {
    throw err instanceof AwsError && err.code === "AccessDenied" ? denied() : err;
  });
  if (sourceIdentity !== undefined) {
    if (sourceIdentity.startsWith("aws:")) throw validationError("SourceIdentity must not begin with aws:");
    await ctx.authorize({ action: "sts:SetSourceIdentity", ...trust });
  }
  if (caller.kind === "assumed-role" && duration > ROLE_CHAINING_LIMIT) {
    throw validationError(
      "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    );
  }
  if (duration > role.maxSessionDuration) {
    throw validationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  }
  const inherited = caller.kind === "assumed-role" ? caller.session.sourceIdentity : undefined;
  const session = issueSession(ctx.store, {
    role,
    sessionName,
    durationSeconds: duration,
    sourceIdentity: sourceIdentity ?? inherited,
    now: ctx.now,
  });
  return { ...renderCredentials(session, role), SourceIdentity: session.sourceIdentity };
};

const assumeRoleWithSaml: QueryHandler = async (ctx) => {
  const roleArn = requiredString(ctx.input, "RoleArn", RULES.arn);
  const principalArn = requiredString(ctx.input, "PrincipalArn", RULES.arn);
  const assertion = requiredString(ctx.input, "SAMLAssertion", { min: 4, max: 100_000 });
  const requested = optionalInteger(ctx.input, "DurationSeconds", 900, 43200);
  if (ctx.input.has("Policy") || ctx.input.has("PolicyArns.member.1.arn")) {
    throw validationError("The sandbox does not support session policies on AssumeRoleWithSAML (see docs/sandbox.md).");
  }
  const decoded = decodeSamlResponse(assertion);
  const provider = findProvider(ctx.store.state, principalArn);
  const partition = partitionOfArn(roleArn);
  if (partitionOfArn(principalArn) !== partition) throw notAuthorized();
  const saml = verifySamlResponse(decoded, provider, stsAudienceCheck(partition), ctx.now);
  const pair = saml.rolePairs.find((p) => p.roleArn === roleArn && p.providerArn === principalArn);
  if (!pair || !parseRoleValue(`${roleArn},${principalArn}`)) throw notAuthorized();
  const role = await samlRoleFor(ctx.store.state, saml, pair);
  const duration = requested ?? 3600;
  if (duration > role.maxSessionDuration) {
    throw validationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  }
  // SessionDuration and SessionNotOnOrAfter can only shorten an API session.
  let seconds = Math.min(duration, saml.sessionDuration ?? duration);
  if (saml.expiresAt) seconds = Math.min(seconds, Math.floor((saml.expiresAt.getTime() - ctx.now.getTime()) / 1000));
  if (seconds < 900) seconds = 900;
  const session = issueSession(ctx.store, {
    role,
    sessionName: saml.sessionName,
    durationSeconds: seconds,
    sourceIdentity: saml.sourceIdentity,
    tags: saml.tags,
    now: ctx.now,
  });
  const rendered = renderCredentials(session, role);
  return {
    ...rendered,
    // Stored under arn:aws:, answered in the partition the caller asked in.
    AssumedRoleUser: {
      ...rendered.AssumedRoleUser,
      Arn: rendered.AssumedRoleUser.Arn.replace(/^arn:aws:/, `arn:${partition}:`),
    },
    Subject: saml.claims.nameId,
    SubjectType: subjectType(saml.claims.nameIdFormat),
    Issuer: saml.claims.issuer,
    Audience: saml.claims.recipient,
    NameQualifier: nameQualifier(saml.claims.issuer, provider),
    SourceIdentity: saml.sourceIdentity,
  };
};

export const stsService: QueryService = {
  version: "2011-06-15",
  namespace: "https://sts.amazonaws.com/doc/2011-06-15/",
  operations: { GetCallerIdentity: getCallerIdentity, AssumeRole: assumeRole, AssumeRoleWithSAML: assumeRoleWithSaml },
  unsigned: new Set(["AssumeRoleWithSAML"]),
};
