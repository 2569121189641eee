import { AwsError } from "../protocol/errors.js";
import type { RolePair } from "../saml/claims.js";
import type { SigninEndpoint } from "../saml/partitions.js";
import {
  decodeSamlResponse,
  findProvider,
  namedProviders,
  type VerifiedSaml,
  verifySamlResponse,
} from "../saml/validate.js";
import type { SandboxState } from "../state/model.js";
import { samlRoleFor } from "../sts/saml-trust.js";
import { consolePage, type PickerAccount, rolePickerPage, signinErrorPage } from "./pages.js";
import type { UsedResponses } from "./replay.js";

export interface AcsResult {
  status: number;
  html: string;
}

const MAX_FORM_SAML_CHARS = 128 * 1024;
const DEFAULT_CONSOLE_SECONDS = 3600;

const invalid = (reason: string, code = "InvalidSAMLResponse") => new AwsError(code, reason, 400);

/** Verifies with every provider the response names (in the sandbox's state) and keeps the pairs each vouches for. */
function verifyAll(state: Readonly<SandboxState>, samlResponse: string, endpoint: SigninEndpoint, now: Date) {
  const decoded = decodeSamlResponse(samlResponse);
  const providerArns = namedProviders(decoded.response);
  if (providerArns.length === 0)
    throw invalid("The response has no valid https://aws.amazon.com/SAML/Attributes/Role value");
  const verified: Array<{ saml: VerifiedSaml; pairs: RolePair[] }> = [];
  let lastError: unknown;
  for (const arn of providerArns) {
    if (!arn.startsWith(`arn:${endpoint.partition}:`)) continue;
    try {
      const saml = verifySamlResponse(decoded, findProvider(state, arn), (a) => endpoint.audiences.includes(a), now);
      if (saml.claims.recipient !== endpoint.acsUrl) {
        throw invalid(`Recipient ${saml.claims.recipient} is not this endpoint (${endpoint.acsUrl})`);
      }
      verified.push({ saml, pairs: saml.rolePairs.filter((p) => p.providerArn === arn) });
    } catch (err) {
      lastError = err;
    }
  }
  if (verified.length === 0)
    throw lastError ?? invalid(`No role in the response belongs to partition ${endpoint.partition}`);
  return verified;
}

const roleName = (arn: string) => arn.slice(arn.lastIndexOf("/") + 1);
const accountOf = (arn: string) => arn.split(":")[4] ?? "";

/**
 * The AWS sign-in ACS: one role goes straight to the console; several show the role picker, which posts the
 * same SAMLResponse back with the chosen roleIndex.
 */
export async function handleAcs(
  state: Readonly<SandboxState>,
  endpoint: SigninEndpoint,
  form: URLSearchParams,
  actionUrl: string,
  now: Date,
  /** Responses already used to sign in: a Response signs in once (the role picker may post it back first). */
  used: UsedResponses,
): Promise<AcsResult> {
  try {
    const samlResponse = form.get("SAMLResponse");
    if (!samlResponse) throw invalid("The request has no SAMLResponse");
    if (samlResponse.length > MAX_FORM_SAML_CHARS)
      throw invalid("The SAMLResponse is larger than the sign-in page accepts");
    const verified = verifyAll(state, samlResponse, endpoint, now);
    const candidates = verified.flatMap(({ saml, pairs }) => pairs.map((pair) => ({ saml, pair })));
    const chosen = form.get("roleIndex");
    const selected =
      chosen === null
        ? candidates.length === 1
          ? candidates[0]
          : undefined
        : candidates.find((c) => c.pair.roleArn === chosen);
    if (chosen !== null && !selected) throw invalid(`The chosen role ${chosen} is not in the response`);
    if (!selected)
      return {
        status: 200,
        html: rolePickerPage(
          actionUrl,
          samlResponse,
          pickerAccounts(
            state,
            candidates.map((c) => c.pair),
          ),
        ),
      };
    const role = await samlRoleFor(state, selected.saml, selected.pair);
    const validUntil = Math.min(
      ...[selected.saml.claims.notOnOrAfter, selected.saml.claims.subjectNotOnOrAfter]
        .filter((d): d is Date => d !== undefined)
        .map((d) => d.getTime()),
    );
    if (
      !used.use(Buffer.from(samlResponse.replace(/\s+/g, ""), "base64").toString("utf8"), validUntil, now.getTime())
    ) {
      throw invalid("This SAML response has already been used to sign in; sign in again at your identity provider");
    }
    const seconds = selected.saml.sessionDuration ?? DEFAULT_CONSOLE_SECONDS;
    let expiresAt = new Date(now.getTime() + seconds * 1000);
    if (selected.saml.expiresAt && selected.saml.expiresAt < expiresAt) expiresAt = selected.saml.expiresAt;
    return {
      status: 200,
      html: consolePage({
        accountId: role.accountId,
        alias: state.accounts.find((a) => a.id === role.accountId)?.alias,
        roleName: role.name,
        sessionName: selected.saml.sessionName,
        expiresAt,
        partition: endpoint.partition,
      }),
    };
  } catch (err) {
    if (err instanceof AwsError) return { status: 400, html: signinErrorPage(err.message, err.code) };
    throw err;
  }
}

function pickerAccounts(state: Readonly<SandboxState>, pairs: RolePair[]): PickerAccount[] {
  const byAccount = new Map<string, PickerAccount>();
  for (const pair of pairs) {
    const accountId = accountOf(pair.roleArn);
    const entry = byAccount.get(accountId) ?? {
      accountId,
      alias: state.accounts.find((a) => a.id === accountId)?.alias,
      roles: [],
    };
    if (!entry.roles.some((r) => r.roleArn === pair.roleArn))
      entry.roles.push({ roleArn: pair.roleArn, roleName: roleName(pair.roleArn) });
    byAccount.set(accountId, entry);
  }
  const label = (a: PickerAccount) => a.alias ?? a.accountId;
  return [...byAccount.values()]
    .map((a) => ({ ...a, roles: a.roles.sort((x, y) => x.roleName.localeCompare(y.roleName)) }))
    .sort((a, b) => label(a).localeCompare(label(b)));
}
