/**
 * The [start, end) span of the word the cursor is in, the part an
 * autocomplete item replaces. Words split on whitespace and parentheses
 * outside double quotes, so `tag:"new yo|` covers the whole quoted tag.
 */
export function wordAt(text: string, cursor: number): [number, number] {
  let start = 0;
  let quoted = false;
  for (let i = 0; i < cursor; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === ' ' || c === '\t' || c === '(' || c === ')')) start = i + 1;
  }
  let end = cursor;
  while (end < text.length) {
    const c = text[end];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === ' ' || c === '\t' || c === '(' || c === ')')) break;
    end++;
  }
  return [start, end];
}

/** Splits text around a 1-based, character-counted error span (for the underline mirror). */
export function splitAtError(text: string, column: number, length: number): [string, string, string] {
  const chars = Array.from(text);
  const from = Math.max(0, Math.min(chars.length, column - 1));
  const to = Math.max(from + 1, Math.min(chars.length, from + Math.max(1, length)));
  const err = chars.slice(from, to).join('');
  // An error at the very end (e.g. an unclosed quote) still needs something to underline.
  return [chars.slice(0, from).join(''), err || '\u00a0', chars.slice(to).join('')];
}

/** The query that finds pictures with a tag. */
export function tagQuery(name: string): string {
  return `tag:"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
