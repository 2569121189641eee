import { GroupFilterSyntaxError } from "./errors.js";

/**
 * Translates Okta's Group Filter syntax (Java regex with named captures written `(?{{name}}...)`)
 * into RE2 syntax (`(?P<name>...)`), refusing the Java constructs a linear-time engine cannot run.
 * Positions in errors are offsets into the filter as the admin typed it.
 */
export interface TranslatedFilter {
  re2Source: string;
  /** Capture names in order of appearance. */
  captureNames: string[];
  /** Maps an offset in `re2Source` back to an offset in the admin's source. */
  toSourcePosition(re2Offset: number): number;
}

const CAPTURE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const UNSUPPORTED_GROUPS: ReadonlyArray<[string, string]> = [
  ["(?<=", "lookbehind is not supported by the linear-time regex engine"],
  ["(?<!", "negative lookbehind is not supported by the linear-time regex engine"],
  ["(?=", "lookahead is not supported by the linear-time regex engine"],
  ["(?!", "negative lookahead is not supported by the linear-time regex engine"],
  ["(?>", "atomic groups are not supported by the linear-time regex engine"],
];

export function translateGroupFilter(source: string): TranslatedFilter {
  // Each entry: [offset in output, offset in source] where a translated run starts.
  const anchors: Array<[number, number]> = [[0, 0]];
  const captureNames: string[] = [];
  const openParens: number[] = [];
  let out = "";
  let inClass = false;
  let i = 0;

  const fail = (position: number, reason: string): never => {
    throw new GroupFilterSyntaxError(source, position, reason);
  };

  while (i < source.length) {
    const ch = source[i]!;
    if (ch === "\\") {
      const next = source[i + 1];
      if (next === undefined) fail(i, "trailing backslash escapes nothing");
      if (next === "Q") {
        // \Q...\E quotes literally; copy through untouched.
        const end = source.indexOf("\\E", i + 2);
        const stop = end === -1 ? source.length : end + 2;
        out += source.slice(i, stop);
        i = stop;
        continue;
      }
      if (!inClass && (/[1-9]/.test(next!) || next === "k")) {
        fail(i, "backreferences are not supported by the linear-time regex engine");
      }
      out += ch + next;
      i += 2;
      continue;
    }
    if (inClass) {
      if (ch === "]") inClass = false;
      out += ch;
      i += 1;
      continue;
    }
    if (ch === "[") {
      inClass = true;
      out += ch;
      i += 1;
      // A `]` (optionally after `^`) right after `[` is a literal, not the end of the class.
      if (source[i] === "^") {
        out += "^";
        i += 1;
      }
      if (source[i] === "]") {
        out += "]";
        i += 1;
      }
      continue;
    }
    if (ch === "(") {
      openParens.push(i);
      if (source.startsWith("(?{{", i)) {
        const name = /^[A-Za-z0-9_]*/.exec(source.slice(i + 4))![0];
        const close = i + 4 + name.length;
        if (!source.startsWith("}}", close)) {
          fail(i, 'named capture "(?{{" must be followed by a name of letters, digits and _ and "}}"');
        }
        if (!CAPTURE_NAME.test(name)) fail(i + 4, `capture name "${name}" must not be empty or start with a digit`);
        if (captureNames.includes(name)) fail(i, `capture name "${name}" is used twice`);
        captureNames.push(name);
        out += `(?P<${name}>`;
        i = close + 2;
        anchors.push([out.length, i]);
        continue;
      }
      for (const [prefix, reason] of UNSUPPORTED_GROUPS) {
        if (source.startsWith(prefix, i)) fail(i, reason);
      }
      const javaNamed = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(source.slice(i, i + 200));
      if (javaNamed) {
        const name = javaNamed[1]!;
        if (captureNames.includes(name)) fail(i, `capture name "${name}" is used twice`);
        captureNames.push(name);
      }
    } else if (ch === ")") {
      if (openParens.pop() === undefined) fail(i, 'unexpected ")" without a matching "("');
    } else if (ch === "+" && endsWithQuantifier(out)) {
      // Java reads `a*+` as possessive; RE2 would report a confusing nested repetition.
      fail(i, "possessive quantifiers are not supported by the linear-time regex engine");
    }
    out += ch;
    i += 1;
  }
  if (inClass) fail(source.lastIndexOf("["), 'character class "[" is not closed by "]"');
  const unclosed = openParens.pop();
  if (unclosed !== undefined) fail(unclosed, '"(" is not closed by ")"');

  return {
    re2Source: out,
    captureNames,
    toSourcePosition(re2Offset: number): number {
      let best: [number, number] = [0, 0];
      for (const anchor of anchors) {
        if (anchor[0] <= re2Offset) best = anchor;
      }
      return Math.min(source.length, best[1] + (re2Offset - best[0]));
    },
  };
}

function endsWithQuantifier(translated: string): boolean {
  if (/(?:^|[^\\])(?:\\\\)*[*+?]$/.test(translated)) return true;
  return /\{\d+(?:,\d*)?\}$/.test(translated);
}

const LITERAL_CHAR = /[A-Za-z0-9#_\-:/@=,;'"!%&~`<> ]/;
const QUANTIFIERS = new Set(["*", "+", "?", "{"]);

/**
 * The literal text every fully-matching name must start with (e.g. `aws#`), or "" when the pattern
 * has top-level alternation, starts with a group or flag, or is not literal at its start. A plain
 * `startsWith` then rejects most non-role groups without running the regex engine.
 */
export function literalPrefix(re2Source: string): string {
  if (hasTopLevelAlternation(re2Source)) return "";
  let i = re2Source.startsWith("^") ? 1 : 0;
  let prefix = "";
  while (i < re2Source.length) {
    const ch = re2Source[i]!;
    let literal: string | null = null;
    let width = 1;
    if (ch === "\\") {
      const next = re2Source[i + 1];
      // Escaped punctuation is itself; escaped letters/digits are classes (\d, \S) or special.
      if (next !== undefined && !/[A-Za-z0-9]/.test(next)) {
        literal = next;
        width = 2;
      }
    } else if (LITERAL_CHAR.test(ch)) {
      literal = ch;
    }
    if (literal === null) break;
    // A quantified character is optional or repeated: it cannot be part of the required prefix.
    if (QUANTIFIERS.has(re2Source[i + width] ?? "")) break;
    prefix += literal;
    i += width;
  }
  return prefix;
}

function hasTopLevelAlternation(re2Source: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < re2Source.length; i += 1) {
    const ch = re2Source[i];
    if (ch === "\\") {
      i += 1;
    } else if (inClass) {
      if (ch === "]") inClass = false;
    } else if (ch === "[") {
      inClass = true;
      if (re2Source[i + 1] === "^") i += 1;
      if (re2Source[i + 1] === "]") i += 1;
    } else if (ch === "(") {
      depth += 1;
    } else if (ch === ")") {
      depth -= 1;
    } else if (ch === "|" && depth === 0) {
      return true;
    }
  }
  return false;
}
