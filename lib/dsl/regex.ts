// `matches` patterns: tshark 4.0 compiles them with PCRE2, caseless by default and without UTF (bytes are matched
// one byte per character). JavaScript's RegExp lacks some PCRE syntax, so the common PCRE-only forms are rewritten:
// leading option settings (?i) (?-i) (?s) (?m) (?x), \A \z \Z, \Q…\E, (?P<name>…), (?P=name), (?#…), atomic groups
// and possessive quantifiers (approximated by their plain forms), POSIX classes [[:alpha:]]. Anything else JavaScript
// rejects is reported as a regular-expression error.

import { msg } from "./messages.js";

/** The JavaScript RegExp for a PCRE2 pattern (given as one char per byte), or an error message. */
export function compileRegex(pattern: string): RegExp | string {
  let p = pattern;
  const flags = new Set(["i"]);
  for (let m = /^\(\?([imsx]*)(?:-([imsx]+))?\)/.exec(p); m && (m[1] || m[2]); m = /^\(\?([imsx]*)(?:-([imsx]+))?\)/.exec(p)) {
    for (const f of m[1]) flags.add(f);
    for (const f of m[2] ?? "") flags.delete(f);
    p = p.slice(m[0].length);
  }
  let src: string;
  try {
    src = rewrite(p, flags.has("x"), flags.has("m"), flags.has("s"));
  } catch (e) {
    return (e as Error).message;
  }
  const js = [...flags].filter((f) => f === "i" || f === "s").join("") + (/\\[pP]\{/.test(src) ? "u" : "");
  try {
    return new RegExp(src, js);
  } catch (e) {
    return (e as Error).message.replace(/^Invalid regular expression: /, "");
  }
}

/**
 * True when testing a JavaScript string directly gives the same answer as testing its UTF-8 bytes: the pattern is
 * ASCII and nothing in it (`.`, negated classes, \W \S \D, \x80 and up) can match a byte of a multi-byte
 * character. Lets string columns skip the UTF-8 conversion.
 */
export function asciiSafe(pattern: string): boolean {
  return /^[\x00-\x7f]*$/.test(pattern) && !/\.|\[\^|\\[WSDHVNXCRhvpPQ]|\\x[89a-fA-F]|\\[0-3][0-7]{2}|\\x\{/.test(pattern);
}

const POSIX: Record<string, string> = {
  alpha: "a-zA-Z", digit: "0-9", alnum: "a-zA-Z0-9", upper: "A-Z", lower: "a-z", space: "\\s", blank: " \\t",
  punct: "!-\\/:-@\\[-`{-~", xdigit: "0-9A-Fa-f", word: "\\w", cntrl: "\\x00-\\x1f\\x7f", print: "\\x20-\\x7e",
  graph: "\\x21-\\x7e", ascii: "\\x00-\\x7f",
};

const escapeRe = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");

function rewrite(p: string, extended: boolean, multiline: boolean, dotAll: boolean): string {
  let out = "";
  let inClass = false;
  for (let k = 0; k < p.length; k++) {
    const ch = p[k];
    if (ch === "\\") {
      const n = p[k + 1];
      if (n === undefined) throw new Error(msg.trailingBackslash());
      if (n === "Q") {
        const end = p.indexOf("\\E", k + 2);
        const lit = p.slice(k + 2, end < 0 ? p.length : end);
        out += inClass ? lit.replace(/[\\\]^-]/g, "\\$&") : escapeRe(lit);
        k = end < 0 ? p.length : end + 1;
        continue;
      }
      if (!inClass && n === "A") { out += "^"; k++; continue; }
      if (!inClass && n === "z") { out += "$"; k++; continue; }
      if (!inClass && n === "Z") { out += "(?=\\n?$)"; k++; continue; }
      if (n === "h") { out += inClass ? " \\t" : "[ \\t]"; k++; continue; }
      if (n === "s") { out += inClass ? "\\t\\n\\v\\f\\r " : "[\\t\\n\\v\\f\\r ]"; k++; continue; }
      if (n === "S") { out += inClass ? "\\0-\\x08\\x0e-\\x1f\\x21-\\uffff" : "[^\\t\\n\\v\\f\\r ]"; k++; continue; }
      out += ch + n;
      k++;
      continue;
    }
    if (inClass) {
      if (ch === "[" && p[k + 1] === ":") {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(p.slice(k));
        if (m && POSIX[m[2]] !== undefined && m[1] === "") { out += POSIX[m[2]]; k += m[0].length - 1; continue; }
      }
      if (ch === "]") inClass = false;
      out += ch === "[" ? "\\[" : ch;
      continue;
    }
    if (ch === "[") {
      inClass = true;
      out += ch;
      if (p[k + 1] === "^") { out += "^"; k++; }
      if (p[k + 1] === "]") { out += "\\]"; k++; }
      continue;
    }
    // PCRE2's defaults differ from JavaScript's: newline is LF only, so `.` matches CR; `$` also matches before a
    // final LF; `\s` is ASCII whitespace only. The RegExp gets no m flag: ^ and $ below always mean start and end.
    if (ch === "." && !dotAll) { out += "[^\\n]"; continue; }
    if (ch === "$") { out += multiline ? "(?=\\n|$)" : "(?=\\n?$)"; continue; }
    if (ch === "^" && multiline) { out += "(?:^|(?<=\\n))"; continue; }
    if (extended && /\s/.test(ch)) continue;
    if (extended && ch === "#") { while (k < p.length && p[k] !== "\n") k++; continue; }
    if (ch === "(" && p.startsWith("(?#", k)) { const e = p.indexOf(")", k); k = e < 0 ? p.length : e; continue; }
    if (ch === "(" && p.startsWith("(?P<", k)) { out += "(?<"; k += 3; continue; }
    if (ch === "(" && p.startsWith("(?P=", k)) {
      const e = p.indexOf(")", k);
      out += `\\k<${p.slice(k + 4, e)}>`;
      k = e;
      continue;
    }
    if (ch === "(" && p.startsWith("(?>", k)) { out += "(?:"; k += 2; continue; }
    if (ch === "+" && /[*+?}]$/.test(out) && !out.endsWith("\\+") && !out.endsWith("\\}")) continue; // possessive
    out += ch;
  }
  return out;
}
