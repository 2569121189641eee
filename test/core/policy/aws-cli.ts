import { execFile } from "node:child_process";

/** The AWS CLI (Debian's /usr/bin/aws unless AWS_CLI names another), isolated from ~/.aws, against the sandbox. */
export function awsCli(
  endpoint: string,
  keys: { accessKeyId: string; secretAccessKey: string },
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_CONFIG_FILE: "/nonexistent/aws-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
    AWS_PAGER: "",
  };
  return new Promise((done) => {
    execFile(
      process.env.AWS_CLI ?? "/usr/bin/aws",
      ["--endpoint-url", endpoint, "--output", "json", ...args],
      { env },
      (err, stdout, stderr) => done({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}
