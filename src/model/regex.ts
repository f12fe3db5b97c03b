/**
 * The RE2 subset of regular expressions: Istio (and Kruise, which writes Istio regex matches)
 * hand patterns to Envoy's RE2, which has no backreferences, lookaround, atomic groups or
 * possessive quantifiers. Constructs refuse such patterns; the analysis reads the rest with
 * JavaScript's engine, which agrees with RE2 on this subset.
 */
const RE2_INCOMPATIBLE: Array<[RegExp, string]> = [
  [/\\[1-9]/, 'backreferences (\\1) are not supported by RE2'],
  [/\\k</, 'named backreferences (\\k<name>) are not supported by RE2'],
  [/\(\?<?[=!]/, 'lookahead/lookbehind ((?=, (?!, (?<=, (?<!) is not supported by RE2'],
  [/\(\?>/, 'atomic groups ((?>) are not supported by RE2'],
  [/[*+?}]\+/, 'possessive quantifiers (*+, ++) are not supported by RE2'],
];

/**
 * The problem RE2 has with a pattern, or undefined when it is in the subset both engines read
 * the same way. Only a leading `(?i)` flag group is accepted among RE2's inline flags.
 */
export function re2Problem(pattern: string): string | undefined {
  const body = stripCaseFlag(pattern).body;
  const noEscapedBackslash = body.replace(/\\\\/g, '');
  const noEscapes = noEscapedBackslash.replace(/\\[^1-9k]/g, 'x');
  for (const [re, why] of RE2_INCOMPATIBLE) {
    if (re.test(noEscapes)) return why;
  }
  if (/\(\?[a-zA-Z-]+[):]/.test(body)) return 'inline flags other than a leading (?i) are not supported by this analyser';
  try {
    new RegExp(body.replace(/\(\?P</g, '(?<'));
  } catch (e) {
    return `does not compile: ${(e as Error).message}`;
  }
  return undefined;
}

export function stripCaseFlag(pattern: string): { body: string; flags: string } {
  return pattern.startsWith('(?i)') ? { body: pattern.slice(4), flags: 'i' } : { body: pattern, flags: '' };
}

