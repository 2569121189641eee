import type { AwsPartition } from "../rolemap/arn.js";
import { SamlConfigurationError } from "./errors.js";

export type { AwsPartition } from "../rolemap/arn.js";

export interface PartitionInfo {
  partition: AwsPartition;
  environment: "commercial" | "govcloud" | "china";
  /** AWS sign-in's ACS: the SAML `Recipient`/`Destination`, and what trust policies check as `SAML:aud`. */
  acsUrl: string;
  /** The `Audience` AWS expects in the assertion's conditions. */
  audience: string;
  arnPrefix: string;
}

export const PARTITIONS: Readonly<Record<AwsPartition, PartitionInfo>> = {
  aws: {
    partition: "aws",
    environment: "commercial",
    acsUrl: "https://signin.aws.amazon.com/saml",
    audience: "urn:amazon:webservices",
    arnPrefix: "arn:aws:",
  },
  "aws-us-gov": {
    partition: "aws-us-gov",
    environment: "govcloud",
    acsUrl: "https://signin.amazonaws-us-gov.com/saml",
    audience: "urn:amazon:webservices:govcloud",
    arnPrefix: "arn:aws-us-gov:",
  },
  "aws-cn": {
    partition: "aws-cn",
    environment: "china",
    acsUrl: "https://signin.amazonaws.cn/saml",
    audience: "urn:amazon:webservices:cn-north-1",
    arnPrefix: "arn:aws-cn:",
  },
};

export function partitionInfo(partition: AwsPartition): PartitionInfo {
  return PARTITIONS[partition];
}

const COMMERCIAL_REGION = /^[a-z]{2}-[a-z]+-\d{1,2}$/;

/**
 * Regional sign-in endpoint of the commercial partition (`https://<region>.signin.aws.amazon.com/saml`).
 * Every ACS used must be listed in the roles' trust policies under `SAML:aud`.
 */
export function regionalAcsUrl(region: string): string {
  if (!COMMERCIAL_REGION.test(region) || region.startsWith("us-gov-") || region.startsWith("cn-")) {
    throw new SamlConfigurationError("region", `"${region}" is not a commercial AWS region like "eu-west-1"`);
  }
  return `https://${region}.signin.aws.amazon.com/saml`;
}
