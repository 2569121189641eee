import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { cleanEnv } from "./run.js";

const CLIENTS = pathToFileURL(resolve(import.meta.dirname, "../../dist/core/aws/clients.js")).href;

describe("rolebridge's output is for its users", () => {
  it("making AWS SDK clients prints nothing on stderr (no SDK Node-version notice)", async () => {
    const script = `
      const { defaultAwsClients } = await import(${JSON.stringify(CLIENTS)});
      const clients = await defaultAwsClients(
        { partition: "aws", region: "us-east-1", endpointUrl: "http://127.0.0.1:9" },
        { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "x" },
      );
      clients.iam.destroy();
      clients.sts.destroy();
    `;
    const stderr = await new Promise<string>((done, fail) =>
      execFile(process.execPath, ["--input-type=module", "-e", script], { env: cleanEnv() }, (err, _out, errText) =>
        err ? fail(new Error(`${err.message}\n${errText}`)) : done(errText),
      ),
    );
    expect(stderr).toBe("");
  });
});
