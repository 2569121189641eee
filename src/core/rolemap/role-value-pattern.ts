// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Role Value Patterns use Okta's literal ${name} syntax.
import { type AwsPartition, parseRolePair, type RolePair } from "./arn.js";
import { RoleValuePatternError } from "./errors.js";

/** Okta's default: one provider name (`OKTA`) in every account, hard-coded commercial partition. */
export const OKTA_DEFAULT_ROLE_VALUE_PATTERN =
  "arn:aws:iam::${accountid}:saml-provider/OKTA,arn:aws:iam::${accountid}:role/${role}";

/** Ours: partition of the app, provider name looked up per account. */
export const DEFAULT_ROLE_VALUE_PATTERN =
  "arn:${partition}:iam::${accountid}:saml-provider/${provider},arn:${partition}:iam::${accountid}:role/${role}";

/** Placeholders filled by rolebridge rather than by a Group Filter capture. They win over captures. */
export const BUILTIN_PLACEHOLDERS = ["provider", "partition"] as const;

type TemplatePart = { literal: string } | { placeholder: string; position: number };

export interface CompiledRoleValuePattern {
  readonly pattern: string;
  readonly placeholders: readonly string[];
  /** Renders the template; a placeholder without a value yields `missing` instead of a string. */
  render(values: Readonly<Record<string, string | undefined>>): { value: string } | { missing: string };
}

const PLACEHOLDER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const compiledByPattern = new Map<string, CompiledRoleValuePattern>();

function parseTemplate(pattern: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = "";
  let i = 0;
  while (i < pattern.length) {
    if (pattern.startsWith("${", i)) {
      const close = pattern.indexOf("}", i + 2);
      if (close === -1) throw new RoleValuePatternError(pattern, i, 'placeholder "${" is not closed by "}"');
      const name = pattern.slice(i + 2, close);
      if (!PLACEHOLDER_NAME.test(name)) {
        throw new RoleValuePatternError(pattern, i, `placeholder name "${name}" must be letters, digits and _`);
      }
      if (literal) parts.push({ literal });
      literal = "";
      parts.push({ placeholder: name, position: i });
      i = close + 1;
      continue;
    }
    literal += pattern[i];
    i += 1;
  }
  if (literal) parts.push({ literal });
  return parts;
}

export function compileRoleValuePattern(pattern: string): CompiledRoleValuePattern {
  const cached = compiledByPattern.get(pattern);
  if (cached) return cached;
  const parts = parseTemplate(pattern);
  const compiled: CompiledRoleValuePattern = {
    pattern,
    placeholders: [...new Set(parts.flatMap((part) => ("placeholder" in part ? [part.placeholder] : [])))],
    render(values) {
      let value = "";
      for (const part of parts) {
        if ("literal" in part) {
          value += part.literal;
          continue;
        }
        const filled = values[part.placeholder];
        if (filled === undefined) return { missing: part.placeholder };
        value += filled;
      }
      return { value };
    },
  };
  if (compiledByPattern.size > 256) compiledByPattern.clear();
  compiledByPattern.set(pattern, compiled);
  return compiled;
}

export interface RoleValuePatternContext {
  partition: AwsPartition;
  /** Captures the Group Filter defines; placeholders must be among these or built-ins. */
  captureNames: readonly string[];
  /** Whether a provider name can be found for accounts (per-account table or default). */
  providerNameConfigured: boolean;
}

const SAMPLE_VALUES: Record<string, string> = {
  role: "SampleRole",
  accountid: "123456789012",
  alias: "sample-alias",
  provider: "SampleProvider",
};

/**
 * Validates on save: known placeholders only, and a sample rendering must be a valid
 * (provider ARN, role ARN) pair in the app's partition.
 * @throws RoleValuePatternError
 */
export function validateRoleValuePattern(pattern: string, context: RoleValuePatternContext): RolePair {
  const compiled = compileRoleValuePattern(pattern);
  const known = new Set<string>([...context.captureNames, ...BUILTIN_PLACEHOLDERS]);
  for (const part of parseTemplate(pattern)) {
    if ("placeholder" in part && !known.has(part.placeholder)) {
      throw new RoleValuePatternError(
        pattern,
        part.position,
        `\${${part.placeholder}} is neither a Group Filter capture (${context.captureNames.join(", ")}) nor one of ${BUILTIN_PLACEHOLDERS.join(", ")}`,
      );
    }
  }
  if (compiled.placeholders.includes("provider") && !context.providerNameConfigured) {
    throw new RoleValuePatternError(
      pattern,
      pattern.indexOf("${provider}"),
      "${provider} is used but no SAML provider name is configured",
    );
  }
  const samples: Record<string, string> = { partition: context.partition };
  for (const name of compiled.placeholders) samples[name] ??= SAMPLE_VALUES[name] ?? "sample";
  const rendered = compiled.render(samples);
  if ("missing" in rendered) throw new RoleValuePatternError(pattern, null, `no value for \${${rendered.missing}}`);
  const pair = parseRolePair(rendered.value, context.partition);
  if (!pair.ok) {
    throw new RoleValuePatternError(pattern, null, `sample rendering "${rendered.value}" is not valid: ${pair.reason}`);
  }
  return pair.value;
}
