/** Printable names for bytes in reports: control and non-ASCII bytes get escapes. */
const NAMES: Record<number, string> = { 9: '\\t', 10: '\\n', 13: '\\r', 32: 'space' };

export function byteName(b: number): string {
  if (NAMES[b] !== undefined) return NAMES[b];
  if (b > 32 && b < 127) return String.fromCharCode(b);
  return `\\x${b.toString(16).padStart(2, '0')}`;
}
