import { isIP, isIPv4, isIPv6 } from 'node:net';

/**
 * String validation for DDL inputs: the named validators MCollective and Choria
 * ship, and `validation` regexes written for Ruby or Go translated to
 * JavaScript. Every distinct validation string is compiled once and cached.
 */

/** A compiled DDL `validation`: a predicate plus the message to show when it fails. */
export interface StringCheck {
  test(value: string): boolean;
  /** Completes "input 'x' (desc): ..." when the test fails. */
  readonly message: string;
}

// MCollective's shellsafe list, plus newlines (a second command on a new line).
const shellUnsafe = /[`$;|<>\n\r]|&&/;

/** The named validators usable as a string input's `validation` (look up with Object.hasOwn). */
export const namedValidators: Readonly<Record<string, StringCheck>> = {
  shellsafe: {
    test: (v) => !shellUnsafe.test(v),
    message: 'must be shell safe: no `, $, ;, |, &&, >, < or newlines',
  },
  ipv4address: { test: (v) => isIPv4(v), message: 'must be an IPv4 address' },
  ipv6address: { test: (v) => isIPv6(v), message: 'must be an IPv6 address' },
  ipaddress: { test: (v) => isIP(v) !== 0, message: 'must be an IPv4 or IPv6 address' },
};

/** A JavaScript regex source and flags equivalent to a Ruby/Go regex. */
export interface TranslatedRegex {
  source: string;
  flags: string;
}

const leadingFlags = /^\(\?([ims]+)\)/;

/**
 * Translate a Ruby/Go regex to JavaScript: `\A` → start of text, `\z` → end of
 * text, `\Z` → end of text before an optional final newline, `\h` → hex digit,
 * `(?P<name>` → `(?<name>`, and a leading `(?i)` / `(?s)` / `(?m)` → flags.
 * Escapes inside character classes are left alone (apart from `\h`).
 */
export function translateRegex(pattern: string): TranslatedRegex {
  let flags = '';
  let src = pattern;
  const lead = leadingFlags.exec(src);
  if (lead?.[1] !== undefined) {
    flags = [...new Set(lead[1])].sort().join('');
    src = src.slice(lead[0].length);
  }
  // With the m flag ^ and $ match at line breaks, so \A and \z need lookarounds.
  const multiline = flags.includes('m');
  const start = multiline ? '(?<![\\s\\S])' : '^';
  const end = multiline ? '(?![\\s\\S])' : '$';
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src.charAt(i);
    if (c === '\\' && i + 1 < src.length) {
      const n = src.charAt(++i);
      if (n === 'h') out += inClass ? '0-9a-fA-F' : '[0-9a-fA-F]';
      else if (inClass) out += c + n;
      else if (n === 'A') out += start;
      else if (n === 'z') out += end;
      else if (n === 'Z') out += `(?=\\n?${end})`;
      else out += c + n;
    } else if (inClass) {
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
      // A ']' right after '[' or '[^' is a literal in Ruby/Go; JS needs it escaped.
      if (src.charAt(i + 1) === '^') out += src.charAt(++i);
      if (src.charAt(i + 1) === ']') {
        out += '\\]';
        i++;
      }
    } else if (c === '(' && src.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
    } else {
      out += c;
    }
  }
  return { source: out, flags };
}

const cache = new Map<string, StringCheck>();

/**
 * Compile with the `u` flag, so `.` and `{n,m}` count characters as Ruby and
 * Go do (not UTF-16 halves of an emoji); a source that is only valid without
 * it (e.g. an identity escape like `\-` outside a class) is compiled without.
 */
function unicodeRegExp(source: string, flags: string): RegExp {
  try {
    return new RegExp(source, `${flags}u`);
  } catch {
    return new RegExp(source, flags);
  }
}

/**
 * Compile a DDL `validation` string (a named validator or a Ruby/Go regex) once
 * and cache it. Throws SyntaxError when the regex does not compile.
 */
export function compileValidation(validation: string): StringCheck {
  const hit = cache.get(validation);
  if (hit !== undefined) return hit;
  let check = Object.hasOwn(namedValidators, validation) ? namedValidators[validation] : undefined;
  if (check === undefined) {
    const { source, flags } = translateRegex(validation);
    const re = unicodeRegExp(source, flags);
    check = { test: (v) => re.test(v), message: `must match the regular expression ${validation}` };
  }
  cache.set(validation, check);
  return check;
}
