// The font the PDFs are set in, carried by the repository (reports/fonts/, DejaVu Sans Condensed,
// Bitstream Vera licence: LICENSE-DejaVu.txt): Cyrillic with the Kazakh letters ә ғ қ ң ө ұ ү һ і.
// Also measures text with the font's own advance widths, so that column widths are computed,
// not guessed. fontkit and linebreak are pdfmake's own dependencies (the same code pdfmake lays
// text out with); they are resolved from pdfmake's location, not added to package.json.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const FONT_FAMILY = 'DejaVuSansCondensed';

const fontFile = (name: string): string => fileURLToPath(new URL(`../fonts/${name}`, import.meta.url));

export const FONT_FILES = {
  normal: fontFile('DejaVuSansCondensed.ttf'),
  bold: fontFile('DejaVuSansCondensed-Bold.ttf'),
  italics: fontFile('DejaVuSansCondensed-Oblique.ttf'),
  bolditalics: fontFile('DejaVuSansCondensed-Bold.ttf'),
} as const;

interface FontkitGlyph {
  advanceWidth: number;
}
interface FontkitFont {
  unitsPerEm: number;
  glyphForCodePoint(cp: number): FontkitGlyph;
  hasGlyphForCodePoint(cp: number): boolean;
}
interface Fontkit {
  openSync(path: string): FontkitFont;
}
interface LineBreakerBreak {
  position: number;
  required: boolean;
}
type LineBreakerCtor = new (text: string) => { nextBreak(): LineBreakerBreak | null };

const requireFromHere = createRequire(import.meta.url);
/** require() as seen from pdfmake's own directory: finds its dependencies wherever npm put them. */
export const requireFromPdfmake = createRequire(requireFromHere.resolve('pdfmake'));

let fontkit: Fontkit | undefined;
let LineBreaker: LineBreakerCtor | undefined;

class Metrics {
  private readonly cache = new Map<number, number>();
  constructor(private readonly font: FontkitFont) {}

  /** Width of `text` at 1 pt, in points. */
  width(text: string): number {
    let w = 0;
    for (const ch of text) {
      const cp = ch.codePointAt(0) as number;
      let a = this.cache.get(cp);
      if (a === undefined) {
        a = this.font.glyphForCodePoint(cp).advanceWidth / this.font.unitsPerEm;
        this.cache.set(cp, a);
      }
      w += a;
    }
    return w;
  }

  has(cp: number): boolean {
    return this.font.hasGlyphForCodePoint(cp);
  }
}

const metrics: { normal?: Metrics; bold?: Metrics } = {};

function load(bold: boolean): Metrics {
  fontkit ??= requireFromPdfmake('@foliojs-fork/fontkit') as Fontkit;
  const key = bold ? 'bold' : 'normal';
  return (metrics[key] ??= new Metrics(fontkit.openSync(bold ? FONT_FILES.bold : FONT_FILES.normal)));
}

/** Width in points of `text` set on one line at `size` pt. */
export function textWidth(text: string, size: number, bold = false): number {
  return load(bold).width(text) * size;
}

/** Characters of `text` the font has no glyph for (it would print a box). */
export function missingGlyphs(text: string): string[] {
  const m = load(false);
  return [...new Set(Array.from(text).filter((ch) => !/\s/.test(ch) && !m.has(ch.codePointAt(0) as number)))];
}

/**
 * The pieces of `text` that cannot be broken across lines, by the Unicode line-breaking rules
 * pdfmake uses (it may break after a hyphen or a slash, never inside 040512500013 or at a no-break
 * space): the widest piece is the narrowest a column can be without words being cut.
 */
export function unbreakablePieces(text: string): string[] {
  LineBreaker ??= requireFromPdfmake('@foliojs-fork/linebreak') as LineBreakerCtor;
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const breaker = new LineBreaker(line);
    let last = 0;
    for (let bk = breaker.nextBreak(); bk; bk = breaker.nextBreak()) {
      const piece = line.slice(last, bk.position).trimEnd();
      if (piece) out.push(piece);
      last = bk.position;
    }
  }
  return out;
}

/** Widest unbreakable piece of `text` at `size` pt. */
export function minTextWidth(text: string, size: number, bold = false): number {
  let w = 0;
  for (const p of unbreakablePieces(text)) w = Math.max(w, textWidth(p, size, bold));
  return w;
}

/** Widest line of `text` (split at '\n') at `size` pt. */
export function maxTextWidth(text: string, size: number, bold = false): number {
  let w = 0;
  for (const line of text.split('\n')) w = Math.max(w, textWidth(line, size, bold));
  return w;
}

/** Number of lines `text` wraps to in `width` points, greedy like pdfmake. */
export function wrappedLines(text: string, width: number, size: number, bold = false): number {
  let lines = 0;
  for (const para of text.split('\n')) {
    let current = 0;
    let n = 1;
    for (const piece of unbreakablePiecesKeepSpace(para)) {
      const w = textWidth(piece, size, bold);
      const trimmed = textWidth(piece.trimEnd(), size, bold);
      if (current > 0 && current + trimmed > width) {
        n++;
        current = w;
      } else current += w;
    }
    lines += n;
  }
  return lines;
}

function unbreakablePiecesKeepSpace(line: string): string[] {
  LineBreaker ??= requireFromPdfmake('@foliojs-fork/linebreak') as LineBreakerCtor;
  const out: string[] = [];
  const breaker = new LineBreaker(line);
  let last = 0;
  for (let bk = breaker.nextBreak(); bk; bk = breaker.nextBreak()) {
    out.push(line.slice(last, bk.position));
    last = bk.position;
  }
  return out;
}
