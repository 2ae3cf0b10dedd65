/**
 * Finds email addresses in text and masks their local part, in one pass: each character is
 * looked at a bounded number of times, whatever the text. It finds what this pattern finds,
 * left to right, as `String.replace` with the g flag would:
 *
 *   [A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+ @ label(\.label)+    label: [A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?
 *
 * (test/observability/emailScan.test.ts compares the two on generated text).
 */
export function replaceEmails(text: string): string {
  let out = '';
  let copied = 0;
  let i = 0;
  while (i < text.length) {
    if (!isLocal(text.charCodeAt(i))) {
      i++;
      continue;
    }
    // A run of local-part characters: an address starts at its first character or nowhere,
    // since no shorter tail of the run is followed by anything but the run itself.
    let at = i;
    while (at < text.length && isLocal(text.charCodeAt(at))) at++;
    if (text.charCodeAt(at) !== AT) {
      i = at;
      continue;
    }
    const end = domainEnd(text, at + 1);
    if (end < 0) {
      i = at + 1; // the domain's characters may start the next address
      continue;
    }
    out += `${text.slice(copied, i)}***@${text.slice(at + 1, end)}`;
    copied = end;
    i = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * Where a domain starting at `start` ends (label, then one or more `.label`), or -1.
 * The first label is a whole run of letters, digits and hyphens, since a dot must follow it;
 * the last one ends at its run's last letter or digit.
 */
function domainEnd(text: string, start: number): number {
  let runEnd = labelRunEnd(text, start);
  if (runEnd === start || !isAlnum(text.charCodeAt(start)) || !isAlnum(text.charCodeAt(runEnd - 1))) return -1;
  let end = -1;
  while (text.charCodeAt(runEnd) === DOT && isAlnum(text.charCodeAt(runEnd + 1))) {
    const next = labelRunEnd(text, runEnd + 1);
    let labelEnd = next;
    while (!isAlnum(text.charCodeAt(labelEnd - 1))) labelEnd--; // trailing hyphens are not part of it
    end = labelEnd;
    if (labelEnd !== next) break; // a hyphen follows: no dot can
    runEnd = next;
  }
  return end;
}

function labelRunEnd(text: string, from: number): number {
  let i = from;
  while (i < text.length && (isAlnum(text.charCodeAt(i)) || text.charCodeAt(i) === HYPHEN)) i++;
  return i;
}

const AT = 0x40;
const DOT = 0x2e;
const HYPHEN = 0x2d;

function isAlnum(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/** The local part's characters: letters, digits and . ! # $ % & ' * + / = ? ^ _ ` { | } ~ - */
const LOCAL = new Uint8Array(128);
for (const c of ".!#$%&'*+/=?^_`{|}~-") LOCAL[c.charCodeAt(0)] = 1;

function isLocal(code: number): boolean {
  return code < 128 && (isAlnum(code) || LOCAL[code] === 1);
}
