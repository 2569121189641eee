import { validateIdentityPolicy, validateTrustPolicy } from "@cloud-copilot/iam-policy";
import { findNodeAtLocation, type Node, type ParseError, parseTree, printParseErrorCode } from "jsonc-parser";
import { DomainError } from "../errors.js";

export type PolicyKind = "identity" | "trust";

export interface Position {
  line: number;
  column: number;
}

export interface PolicyStatement {
  index: number;
  /** Path prefix of the statement: "Statement[2]", or "Statement" when Statement is a single object. */
  path: string;
  body: Record<string, unknown>;
}

/** A policy document parsed with the position of every value, so findings can point at line and column. */
export interface ParsedPolicy {
  name: string;
  text: string;
  document: Record<string, unknown>;
  statements: PolicyStatement[];
  /** Action strings IAM's grammar refuses (e.g. "sts.AssumreRole"), with where they are. */
  malformedActions: Array<{ path: string; value: string; message: string }>;
  locate(path: string): Position | undefined;
}

function positionAt(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** "Statement[0].Action[1]" or "Statement[0].#Actions" (the key itself) → jsonc-parser's segments. */
function segmentsOf(path: string): { segments: Array<string | number>; key: boolean } {
  const segments: Array<string | number> = [];
  let key = false;
  for (const part of path.match(/[^.[\]]+|\[\d+\]/g) ?? []) {
    if (part.startsWith("[")) segments.push(Number(part.slice(1, -1)));
    else if (part.startsWith("#")) {
      segments.push(part.slice(1));
      key = true;
    } else segments.push(part);
  }
  return { segments, key };
}

function locator(text: string, root: Node | undefined) {
  return (path: string): Position | undefined => {
    if (!root) return undefined;
    const { segments, key } = segmentsOf(path);
    const node = segments.length ? findNodeAtLocation(root, segments) : root;
    if (!node) return undefined;
    const at = key && node.parent?.type === "property" ? (node.parent.children?.[0] ?? node) : node;
    return positionAt(text, at.offset);
  };
}

const where = (p: Position | undefined) => (p ? `line ${p.line}, column ${p.column}` : "the document");

const isMalformedAction = (e: { path: string; message: string }) =>
  /\.(Not)?Action(\[\d+\])?$/.test(e.path) && /^Action (must|can only)/.test(e.message);

/**
 * Parses a policy document's text: strict JSON (no comments, no trailing commas), then IAM's grammar via
 * @cloud-copilot/iam-policy. Either failure is a `validation_failed` error naming line, column and path. Action
 * strings IAM would refuse are kept as `malformedActions` for the audit to report with a suggestion, since a
 * typo like "sts.AssumreRole" deserves a "did you mean", not only a refusal.
 */
export function parsePolicy(name: string, text: string, kind: PolicyKind = "identity"): ParsedPolicy {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  const firstError = errors[0];
  if (firstError || !root) {
    const at = positionAt(text, firstError?.offset ?? 0);
    const what = firstError ? printParseErrorCode(firstError.error) : "EmptyDocument";
    throw new DomainError("validation_failed", `${name} is not JSON: ${what} at line ${at.line}, column ${at.column}`, {
      problems: [{ path: "", message: what, ...at }],
    });
  }
  const locate = locator(text, root);
  const document = JSON.parse(text) as unknown;
  const problems = kind === "trust" ? validateTrustPolicy(document) : validateIdentityPolicy(document);
  const grammar = problems.filter((p) => !isMalformedAction(p));
  const first = grammar[0];
  if (first) {
    const at = locate(first.path.replace(/\.#[^.]*$/, (m) => m)) ?? locate("");
    throw new DomainError(
      "validation_failed",
      `${name} is not an IAM ${kind} policy: ${first.message} at ${where(at)} (${first.path || "document"})`,
      { problems: grammar.map((p) => ({ path: p.path, message: p.message, ...locate(p.path) })) },
    );
  }
  const doc = document as Record<string, unknown>;
  const raw = doc.Statement;
  const statements: PolicyStatement[] = Array.isArray(raw)
    ? raw.map((body, index) => ({ index, path: `Statement[${index}]`, body: body as Record<string, unknown> }))
    : [{ index: 0, path: "Statement", body: raw as Record<string, unknown> }];
  const malformedActions = problems.filter(isMalformedAction).map((p) => {
    const { segments } = segmentsOf(p.path);
    let value: unknown = doc;
    for (const s of segments) value = (value as Record<string | number, unknown>)[s];
    return { path: p.path, value: String(value), message: p.message };
  });
  return { name, text, document: doc, statements, malformedActions, locate };
}

/** A string or list of strings of a statement field, as a list. */
export const listOf = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : value === undefined || value === null ? [] : [String(value)];
