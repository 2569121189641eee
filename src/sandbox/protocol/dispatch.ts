import type { IncomingHttpHeaders } from "node:http";
import { authorize } from "../auth/authorize.js";
import { type Caller, resolveAccessKey } from "../auth/callers.js";
import { isSigned, readScope, verifySignature } from "../auth/sigv4.js";
import type { SandboxStore } from "../state/store.js";
import { AwsError } from "./errors.js";
import type { JsonHandler, OperationContext, QueryHandler } from "./handlers.js";
import { JSON_CONTENT_TYPE, jsonError } from "./json.js";
import { newRequestId, parseForm, queryError, queryResponse } from "./query.js";

export interface QueryService {
  version: string;
  namespace: string;
  operations: Record<string, QueryHandler>;
  /** Operations AWS serves without a signature. */
  unsigned?: ReadonlySet<string>;
}

export interface JsonService {
  targetPrefix: string;
  operations: Record<string, JsonHandler>;
}

export interface ApiRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface Services {
  query: Record<string, QueryService>;
  json: Record<string, JsonService>;
}

const missingToken = () => new AwsError("MissingAuthenticationToken", "Request is missing Authentication Token", 403);

/**
 * One endpoint serves IAM, STS and Organizations, as AWS SDKs address them with a custom endpoint. A signed
 * request names its service in the credential scope; an unsigned one can only be an STS federation call.
 */
export class ApiDispatcher {
  constructor(
    private readonly services: Services,
    private readonly store: SandboxStore,
    private readonly baseUrl: () => string,
    /** Unexpected failures become InternalFailure on the wire; this is where they are reported instead. */
    private readonly onInternalError: (err: unknown) => void = () => {},
  ) {}

  async handle(request: ApiRequest): Promise<ApiResponse> {
    const requestId = newRequestId();
    const target = request.headers["x-amz-target"];
    if (typeof target === "string") return this.handleJson(request, target, requestId);
    return this.handleQuery(request, requestId);
  }

  private async authenticate(request: ApiRequest, now: Date): Promise<{ service: string; caller: Caller } | undefined> {
    if (!isSigned(request.headers)) return undefined;
    const scope = readScope(request.headers);
    const token = request.headers["x-amz-security-token"];
    const resolved = resolveAccessKey(
      this.store.state,
      scope.accessKeyId,
      typeof token === "string" ? token : undefined,
      now,
    );
    await verifySignature(request, scope, resolved.secret, now);
    if (resolved.caller.kind === "user")
      this.store.keyUse.set(scope.accessKeyId, { date: now, serviceName: scope.service, region: scope.region });
    return { service: scope.service, caller: resolved.caller };
  }

  private context<Input>(input: Input, caller: Caller | undefined, now: Date): OperationContext<Input> {
    return {
      input,
      caller,
      store: this.store,
      now,
      baseUrl: this.baseUrl(),
      authorize: async (target) => {
        if (!caller) throw missingToken();
        await authorize(this.store.state, caller, { resourceAccountId: caller.accountId, ...target });
      },
    };
  }

  private async handleQuery(request: ApiRequest, requestId: string): Promise<ApiResponse> {
    const params = parseForm(request.body);
    const action = params.get("Action") ?? "";
    const now = new Date();
    let namespace = this.services.query.iam?.namespace ?? "";
    const reply = (status: number, body: string): ApiResponse => ({
      status,
      headers: { "content-type": "text/xml", "x-amzn-requestid": requestId },
      body,
    });
    try {
      const auth = await this.authenticate(request, now);
      const serviceName = auth?.service ?? this.unsignedService(action);
      const service = this.services.query[serviceName];
      if (!service && auth)
        throw new AwsError(
          "InvalidAction",
          `Could not find operation ${action} for version ${params.get("Version") ?? ""}`,
          400,
        );
      if (!service) throw missingToken();
      namespace = service.namespace;
      const handler = Object.hasOwn(service.operations, action) ? service.operations[action] : undefined;
      if (!handler || (params.has("Version") && params.get("Version") !== service.version)) {
        throw new AwsError(
          "InvalidAction",
          `Could not find operation ${action} for version ${params.get("Version") ?? service.version}`,
          400,
        );
      }
      if (!auth && !service.unsigned?.has(action)) throw missingToken();
      const result = await handler(this.context(params, auth?.caller, now));
      return reply(200, queryResponse(action, service.namespace, result, requestId));
    } catch (err) {
      const error = this.asAwsError(err);
      return reply(error.status, queryError(error, namespace, requestId));
    }
  }

  private unsignedService(action: string): string {
    for (const [name, service] of Object.entries(this.services.query)) if (service.unsigned?.has(action)) return name;
    return "";
  }

  private async handleJson(request: ApiRequest, target: string, requestId: string): Promise<ApiResponse> {
    const headers = { "content-type": JSON_CONTENT_TYPE, "x-amzn-requestid": requestId };
    const now = new Date();
    try {
      const auth = await this.authenticate(request, now);
      if (!auth) throw missingToken();
      const service = this.services.json[auth.service];
      const [prefix, operation = ""] = target.split(".", 2);
      const handler =
        service && prefix === service.targetPrefix && Object.hasOwn(service.operations, operation)
          ? service.operations[operation]
          : undefined;
      if (!handler) throw new AwsError("UnknownOperationException", "", 400);
      let input: unknown;
      try {
        input = request.body.trim() === "" ? {} : JSON.parse(request.body);
      } catch {
        throw new AwsError("SerializationException", "Start of structure or map found where not expected.", 400);
      }
      if (typeof input !== "object" || input === null || Array.isArray(input)) {
        throw new AwsError("SerializationException", "Start of structure or map found where not expected.", 400);
      }
      const result = await handler(this.context(input as Record<string, unknown>, auth.caller, now));
      return { status: 200, headers, body: JSON.stringify(result) };
    } catch (err) {
      const { status, body } = jsonError(this.asAwsError(err));
      return { status, headers, body };
    }
  }

  private asAwsError(err: unknown): AwsError {
    if (err instanceof AwsError) return err;
    this.onInternalError(err);
    return internalFailure();
  }
}

function internalFailure(): AwsError {
  return new AwsError(
    "InternalFailure",
    "The request processing has failed because of an unknown error, exception or failure.",
    500,
    "Receiver",
  );
}
