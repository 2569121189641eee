/** AWS sign-in endpoints per partition, with the audiences each accepts in a SAML response. */
export interface SigninEndpoint {
  partition: "aws" | "aws-us-gov" | "aws-cn";
  /** The real AWS host this endpoint emulates, e.g. "us-west-2.signin.aws.amazon.com". */
  host: string;
  /** The real ACS URL; a response posted here must name it as Recipient. */
  acsUrl: string;
  audiences: string[];
  consoleHost: string;
}

const REGION = "[a-z]{2}(?:-gov)?-[a-z]+-\\d";

const PARTITIONS = [
  {
    partition: "aws" as const,
    host: new RegExp(`^(?:(${REGION})\\.)?signin\\.aws\\.amazon\\.com$`),
    base: "signin.aws.amazon.com",
    audiences: ["urn:amazon:webservices"],
    consoleHost: "console.aws.amazon.com",
  },
  {
    partition: "aws-us-gov" as const,
    host: new RegExp(`^(?:(${REGION})\\.)?signin\\.amazonaws-us-gov\\.com$`),
    base: "signin.amazonaws-us-gov.com",
    audiences: ["urn:amazon:webservices:govcloud"],
    consoleHost: "console.amazonaws-us-gov.com",
  },
  {
    partition: "aws-cn" as const,
    host: new RegExp(`^(?:(${REGION})\\.)?signin\\.amazonaws\\.cn$`),
    base: "signin.amazonaws.cn",
    audiences: ["urn:amazon:webservices:cn-north-1"],
    consoleHost: "console.amazonaws.cn",
  },
];

/** Resolves a real sign-in host (global or regional) to its endpoint, or undefined for anything else. */
export function signinEndpoint(host: string): SigninEndpoint | undefined {
  for (const p of PARTITIONS) {
    const match = p.host.exec(host.toLowerCase());
    if (!match) continue;
    const acsUrl = `https://${host.toLowerCase()}/saml`;
    return {
      partition: p.partition,
      host: host.toLowerCase(),
      acsUrl,
      // A regional ACS also accepts the partition's global audience.
      audiences: [...new Set([acsUrl, `https://${p.base}/saml`, ...p.audiences])],
      consoleHost: match[1] ? `${match[1]}.${p.consoleHost}` : p.consoleHost,
    };
  }
  return undefined;
}

/**
 * AssumeRoleWithSAML accepts any sign-in audience of the partition it runs in. The call is unsigned, so with
 * one endpoint for every partition the sandbox takes the partition from the requested role's ARN, as the
 * regional STS endpoint of that partition would.
 */
export function stsAudienceCheck(partition: SigninEndpoint["partition"]): (audience: string) => boolean {
  const own = PARTITIONS.find((p) => p.partition === partition);
  return (audience) => {
    if (own?.audiences.includes(audience)) return true;
    const match = /^https:\/\/([^/]+)\/saml$/.exec(audience);
    return match?.[1] !== undefined && signinEndpoint(match[1])?.partition === partition;
  };
}

export function partitionOfArn(arn: string): SigninEndpoint["partition"] {
  const p = arn.split(":")[1];
  return p === "aws-us-gov" || p === "aws-cn" ? p : "aws";
}
