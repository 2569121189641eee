import { AwsError, noSuchEntity } from "../protocol/errors.js";
import { type QueryHandler, requireCaller } from "../protocol/handlers.js";
import { RULES, requiredString } from "../protocol/params.js";
import { Members } from "../protocol/query.js";
import { parseIdpMetadata } from "../saml/metadata.js";
import { samlProviderArn } from "../state/arns.js";
import type { SamlProvider, SandboxState } from "../state/model.js";

const MAX_PROVIDERS = 100;
const NAME_RULE = { min: 1, max: 128, pattern: /^[\w._-]+$/, patternText: "[\\w._-]+" };
const METADATA_RULE = { min: 1000, max: 10_000_000 };

function checkMetadata(text: string): void {
  const parsed = parseIdpMetadata(text);
  if (typeof parsed === "string") throw new AwsError("InvalidInput", parsed, 400);
}

function findProvider(state: Readonly<SandboxState>, accountId: string, arn: string): SamlProvider {
  const provider = state.samlProviders.find((p) => p.accountId === accountId && p.arn === arn);
  if (!provider) throw noSuchEntity(`Manifest not found for arn ${arn}`);
  return provider;
}

const createSamlProvider: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const name = requiredString(ctx.input, "Name", NAME_RULE);
  const metadata = requiredString(ctx.input, "SAMLMetadataDocument", METADATA_RULE);
  const arn = samlProviderArn(caller.accountId, name);
  await ctx.authorize({ action: "iam:CreateSAMLProvider", resource: arn });
  checkMetadata(metadata);
  ctx.store.mutate((state) => {
    const own = state.samlProviders.filter((p) => p.accountId === caller.accountId);
    if (own.some((p) => p.name === name))
      throw new AwsError("EntityAlreadyExists", `SAMLProvider ${name} already exists`, 409);
    if (own.length >= MAX_PROVIDERS) {
      throw new AwsError("LimitExceeded", `Cannot exceed quota for IdentityProvidersPerAccount: ${MAX_PROVIDERS}`, 409);
    }
    state.samlProviders.push({
      accountId: caller.accountId,
      name,
      arn,
      metadata,
      createDate: ctx.now.toISOString(),
      validUntil: new Date(ctx.now.getTime() + 100 * 365 * 86400_000).toISOString(),
    });
  });
  return { SAMLProviderArn: arn };
};

const updateSamlProvider: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const arn = requiredString(ctx.input, "SAMLProviderArn", RULES.arn);
  const metadata = requiredString(ctx.input, "SAMLMetadataDocument", METADATA_RULE);
  await ctx.authorize({ action: "iam:UpdateSAMLProvider", resource: arn });
  findProvider(ctx.store.state, caller.accountId, arn);
  checkMetadata(metadata);
  ctx.store.mutate((state) => {
    findProvider(state, caller.accountId, arn).metadata = metadata;
  });
  return { SAMLProviderArn: arn };
};

const getSamlProvider: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const arn = requiredString(ctx.input, "SAMLProviderArn", RULES.arn);
  await ctx.authorize({ action: "iam:GetSAMLProvider", resource: arn });
  const provider = findProvider(ctx.store.state, caller.accountId, arn);
  return {
    SAMLMetadataDocument: provider.metadata,
    CreateDate: new Date(provider.createDate),
    ValidUntil: new Date(provider.validUntil),
  };
};

const listSamlProviders: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  await ctx.authorize({ action: "iam:ListSAMLProviders", resource: "*" });
  const providers = ctx.store.state.samlProviders.filter((p) => p.accountId === caller.accountId);
  return {
    SAMLProviderList: new Members(
      providers.map((p) => ({ Arn: p.arn, ValidUntil: new Date(p.validUntil), CreateDate: new Date(p.createDate) })),
    ),
  };
};

const deleteSamlProvider: QueryHandler = async (ctx) => {
  const caller = requireCaller(ctx);
  const arn = requiredString(ctx.input, "SAMLProviderArn", RULES.arn);
  await ctx.authorize({ action: "iam:DeleteSAMLProvider", resource: arn });
  ctx.store.mutate((state) => {
    findProvider(state, caller.accountId, arn);
    state.samlProviders = state.samlProviders.filter((p) => p.arn !== arn);
  });
  return null;
};

export const samlProviderOperations = {
  CreateSAMLProvider: createSamlProvider,
  UpdateSAMLProvider: updateSamlProvider,
  GetSAMLProvider: getSamlProvider,
  ListSAMLProviders: listSamlProviders,
  DeleteSAMLProvider: deleteSamlProvider,
};
