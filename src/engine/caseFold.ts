/**
 * Text as `iequals` compares it: NFC, then Unicode full case folding, then NFC again (what
 * Unicode calls a canonical caseless match). Only case goes: a soft hyphen, a zero-width
 * space or a fullwidth letter still makes another string, as it does where Okta stores it.
 *
 * Folding is lowercase, uppercase, lowercase (locale-independent): the uppercase step joins
 * what lowercase alone leaves apart (ß and SS, ſ and s, the ligature ﬁ and fi, final sigma),
 * and the first lowercase step brings capital ẞ to ß first. Dotless ı is kept as it is: its
 * uppercase is I, yet Unicode's folding (outside Turkish) keeps it a letter of its own.
 */
export function caseFold(text: string): string {
  if (isAscii(text)) return text.toLowerCase();
  const nfc = text.normalize('NFC');
  const folded = nfc.includes(DOTLESS_I) ? nfc.split(DOTLESS_I).map(foldCase).join(DOTLESS_I) : foldCase(nfc);
  return folded.normalize('NFC');
}

const DOTLESS_I = '\u0131';

function foldCase(text: string): string {
  return text.toLowerCase().toUpperCase().toLowerCase();
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}
