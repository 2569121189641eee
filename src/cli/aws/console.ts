/**
 * `rolebridge aws console`: an AWS console sign-in URL for temporary credentials, through AWS's federation
 * endpoint (getSigninToken, then login), as aws-vault does.
 */
import { CliError } from "../output.js";
import type { ProcessCredentials } from "./cached.js";

const FEDERATION: Record<string, { endpoint: string; console: string }> = {
  aws: { endpoint: "https://signin.aws.amazon.com/federation", console: "https://console.aws.amazon.com/" },
  "aws-us-gov": {
    endpoint: "https://signin.amazonaws-us-gov.com/federation",
    console: "https://console.amazonaws-us-gov.com/",
  },
  "aws-cn": { endpoint: "https://signin.amazonaws.cn/federation", console: "https://console.amazonaws.cn/" },
};

export const partitionOfArn = (arn: string) => arn.split(":")[1] ?? "aws";

export async function consoleUrl(
  credentials: ProcessCredentials,
  partition: string,
  opts: { federationEndpoint?: string | undefined; issuer: string; destination?: string | undefined },
): Promise<string> {
  const known = FEDERATION[partition] ?? FEDERATION.aws!;
  const endpoint = opts.federationEndpoint ?? known.endpoint;
  const session = JSON.stringify({
    sessionId: credentials.AccessKeyId,
    sessionKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
  });
  const tokenUrl = `${endpoint}?${new URLSearchParams({ Action: "getSigninToken", Session: session })}`;
  let res: Response;
  try {
    res = await fetch(tokenUrl, { signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new CliError(
      `cannot reach the AWS federation endpoint ${endpoint}: ${(err as Error).message}`,
      "remote_failed",
      {
        system: "aws",
      },
    );
  }
  const body = (await res.json().catch(() => ({}))) as { SigninToken?: string };
  if (!res.ok || !body.SigninToken) {
    throw new CliError(`the AWS federation endpoint refused the credentials (HTTP ${res.status})`, "remote_failed", {
      system: "aws",
      remoteStatus: res.status,
    });
  }
  const login = new URLSearchParams({
    Action: "login",
    Issuer: opts.issuer,
    Destination: opts.destination ?? known.console,
    SigninToken: body.SigninToken,
  });
  return `${endpoint}?${login}`;
}
