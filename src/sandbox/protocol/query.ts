import { randomUUID } from "node:crypto";
import type { AwsError } from "./errors.js";

/**
 * The AWS Query protocol (IAM, STS): form-encoded requests, XML responses wrapped in
 * <{Action}Response><{Action}Result>…</{Action}Result><ResponseMetadata>…</ResponseMetadata>.
 */

export type XmlValue = string | number | boolean | Date | undefined | null | XmlNode | XmlValue[];
export interface XmlNode {
  [element: string]: XmlValue;
}
/** A list rendered as <Name><member>…</member>…</Name>, the Query protocol's list shape. */
export class Members {
  constructor(readonly items: XmlValue[]) {}
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos" }[c]};`);
}

/** AWS renders timestamps as ISO 8601 in UTC; IAM without milliseconds. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function renderValue(value: XmlValue | Members): string {
  if (value === undefined || value === null) return "";
  if (value instanceof Members) return value.items.map((item) => `<member>${renderValue(item)}</member>`).join("");
  if (value instanceof Date) return isoSeconds(value);
  if (Array.isArray(value)) return value.map(renderValue).join("");
  if (typeof value === "object") return renderNode(value);
  return escapeXml(String(value));
}

export function renderNode(node: XmlNode | Record<string, XmlValue | Members>): string {
  let out = "";
  for (const [name, value] of Object.entries(node)) {
    if (value === undefined) continue;
    out += `<${name}>${renderValue(value as XmlValue | Members)}</${name}>`;
  }
  return out;
}

export function queryResponse(
  action: string,
  namespace: string,
  result: Record<string, unknown> | null,
  requestId: string,
): string {
  const body = result === null ? "" : `<${action}Result>${renderNode(result as XmlNode)}</${action}Result>`;
  return (
    `<${action}Response xmlns="${namespace}">${body}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  );
}

export function queryError(error: AwsError, namespace: string, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${namespace}"><Error><Type>${error.type}</Type><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}

export const newRequestId = (): string => randomUUID();

/** Form parameters as AWS reads them: the last value wins for a repeated key. */
export function parseForm(body: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(body)) params.set(key, value);
  return params;
}

/** Reads a Query list such as `PolicyArns.member.1.arn` → the values in index order. */
export function readMemberList(params: Map<string, string>, prefix: string, field?: string): string[] {
  const found: Array<[number, string]> = [];
  const pattern = new RegExp(`^${prefix.replace(/\./g, "\\.")}\\.member\\.(\\d+)${field ? `\\.${field}` : ""}$`);
  for (const [key, value] of params) {
    const match = pattern.exec(key);
    if (match) found.push([Number(match[1]), value]);
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, value]) => value);
}
