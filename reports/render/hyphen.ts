// Hyphenation of long header words («Гарантиро-ванная»), the way the official forms break them,
// so an 18-column table keeps a readable font instead of shrinking until «Гарантированная» fits.
// Simple syllable rules for Russian and Kazakh Cyrillic: break V|CV, C|C, or after ь ъ й; never
// leave a single letter on either side, never start a line with ь ъ й.
import { minTextWidth, textWidth, unbreakablePieces } from './fonts.ts';

const VOWELS = new Set(Array.from('аеёиоуыэюяәөұүіАЕЁИОУЫЭЮЯӘӨҰҮІaeiouyAEIOUY'));
const SIGNS = new Set(Array.from('ьъйЬЪЙ'));
const LETTER = /\p{L}/u;

const isVowel = (c: string) => VOWELS.has(c);
const isLetter = (c: string | undefined): c is string => c !== undefined && LETTER.test(c);
const isConsonant = (c: string) => isLetter(c) && !isVowel(c) && !SIGNS.has(c);

/** Positions p where `word` may be broken as word[0, p) + '-' / word[p…]. */
export function hyphenPoints(word: string): number[] {
  const w = Array.from(word);
  const out: number[] = [];
  for (let p = 2; p <= w.length - 2; p++) {
    const a = w[p - 1];
    const b = w[p];
    if (!isLetter(a) || !isLetter(b) || !isLetter(w[p - 2]) || !isLetter(w[p + 1])) continue;
    if (SIGNS.has(b)) continue;
    const left = w.slice(0, p);
    const right = w.slice(p);
    if (!left.some(isVowel) || !right.some(isVowel)) continue;
    const ok =
      SIGNS.has(a) || // подъ|езд, лич|ность → after ь ъ й
      (isVowel(a) && isConsonant(b) && isVowel(w[p + 1])) || // га|ран
      (isConsonant(a) && isConsonant(b)); // ван|ная
    if (ok) out.push(p);
  }
  return out.map((p) => w.slice(0, p).join('').length); // code points → UTF-16 index
}

/** Narrowest width `piece` can take when broken at most once at a hyphen point. */
function splitMinWidth(piece: string, size: number, bold: boolean): number {
  let best = textWidth(piece, size, bold);
  for (const p of hyphenPoints(piece)) {
    best = Math.min(best, Math.max(textWidth(`${piece.slice(0, p)}-`, size, bold), textWidth(piece.slice(p), size, bold)));
  }
  return best;
}

/** Narrowest column `text` fits in when its long words may be hyphenated once. */
export function minHyphenatedWidth(text: string, size: number, bold = false): number {
  let w = 0;
  for (const piece of unbreakablePieces(text)) {
    w = Math.max(w, piece.length > 5 ? splitMinWidth(piece, size, bold) : textWidth(piece, size, bold));
  }
  return w;
}

/**
 * `text` with hyphens put into the words wider than `width` points, so that a line breaker that
 * may break after a hyphen (pdfmake's) breaks them there. Words that fit are left alone.
 */
export function hyphenateToWidth(text: string, width: number, size: number, bold = false): string {
  if (minTextWidth(text, size, bold) <= width) return text;
  return text
    .split('\n')
    .map((line) =>
      line.replace(/[^\s]+/g, (word) => {
        if (textWidth(word, size, bold) <= width) return word;
        // a word has no spaces, so its unbreakable pieces join back into it exactly
        return unbreakablePieces(word)
          .map((piece) => breakPiece(piece, width, size, bold))
          .join('');
      }),
    )
    .join('\n');
}

function breakPiece(piece: string, width: number, size: number, bold: boolean): string {
  if (textWidth(piece, size, bold) <= width) return piece;
  const parts: string[] = [];
  let rest = piece;
  while (textWidth(rest, size, bold) > width) {
    const points = hyphenPoints(rest);
    // the longest head that fits with its hyphen; else the shortest possible head
    let cut = -1;
    for (const p of points) if (textWidth(`${rest.slice(0, p)}-`, size, bold) <= width) cut = p;
    if (cut < 0) cut = points[0] ?? -1;
    if (cut < 0) break;
    parts.push(`${rest.slice(0, cut)}-`);
    rest = rest.slice(cut);
  }
  parts.push(rest);
  return parts.join('');
}
