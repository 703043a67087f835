// Tag colours: named palette entries (what TagStudio stores) or a custom #hex.
export const PALETTE: Record<string, string> = {
  red: '#e5484d',
  orange: '#f76b15',
  amber: '#ffb224',
  yellow: '#f5d90a',
  lime: '#99d52a',
  green: '#30a46c',
  teal: '#12a594',
  cyan: '#05a2c2',
  blue: '#0090ff',
  indigo: '#3e63dd',
  violet: '#6e56cf',
  purple: '#8e4ec6',
  magenta: '#d6409f',
  pink: '#e93d82',
  brown: '#ad7f58',
  gray: '#8b8d98',
  black: '#1c1c1f',
  white: '#f4f4f5',
};

export const PALETTE_NAMES = Object.keys(PALETTE);

/** CSS colour for a stored tag colour; unknown or empty falls back to the theme's tag colour. */
export function tagColor(c: string | undefined | null): string {
  if (!c) return 'var(--tag-default)';
  const named = PALETTE[c.toLowerCase()];
  if (named) return named;
  return /^#[0-9a-f]{3,8}$/i.test(c) ? c : 'var(--tag-default)';
}
