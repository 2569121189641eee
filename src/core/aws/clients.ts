import type { IAMClient } from "@aws-sdk/client-iam";
import type { STSClient } from "@aws-sdk/client-sts";
import { type DomainError, remoteFailed } from "../errors.js";
import type { AwsPartition } from "../rolemap/arn.js";

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export interface AwsTarget {
  partition: AwsPartition;
  region: string;
  /** Only for an AWS look-alike (the sandbox); real AWS needs none. */
  endpointUrl?: string | null | undefined;
}

export interface AwsClients {
  iam: IAMClient;
  sts: STSClient;
}

/** IAM is global: its API lives in one region per partition, whatever region the app names. */
const IAM_REGION: Record<AwsPartition, string> = {
  aws: "us-east-1",
  "aws-us-gov": "us-gov-west-1",
  "aws-cn": "cn-north-1",
};

export type AwsClientFactory = (target: AwsTarget, credentials: AwsCredentials) => Promise<AwsClients>;

/** The SDK loads on first use: most CLI commands and server starts never talk to AWS. */
export const defaultAwsClients: AwsClientFactory = async (target, credentials) => {
  // On Node < 22 the SDK prints an 8-line notice (its releases after January 2027 need Node 22) into our
  // users' output at the first client. rolebridge states its supported Node versions itself (README,
  // package.json engines); an operator who wants the SDK's notice sets the variable to "false".
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const [{ IAMClient }, { STSClient }] = await Promise.all([
    import("@aws-sdk/client-iam"),
    import("@aws-sdk/client-sts"),
  ]);
  const endpoint = target.endpointUrl ?? undefined;
  const common = { credentials, maxAttempts: 3, ...(endpoint ? { endpoint } : {}) };
  return {
    iam: new IAMClient({ ...common, region: IAM_REGION[target.partition] }),
    sts: new STSClient({ ...common, region: target.region }),
  };
};

/** What an AWS SDK error says, in a form safe to store and show (no credentials are in these). */
export function awsErrorSummary(err: unknown): { code: string; message: string } {
  const e = err as { name?: string; Code?: string; message?: string };
  return { code: e.Code ?? e.name ?? "Error", message: (e.message ?? String(err)).slice(0, 1000) };
}

/** An AWS failure as the one error model reports it: 502, AWS's status, code and words in `details`. */
export function awsFailure(message: string, err: unknown): DomainError {
  const { code, message: remoteMessage } = awsErrorSummary(err);
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return remoteFailed(`${message}: ${code}: ${remoteMessage}`, {
    system: "aws",
    remoteStatus: typeof status === "number" ? status : null,
    remoteCode: code,
    remoteMessage,
  });
}
