// Which encoding a text file is in, from its bytes (INTERFACE.md: CSV is UTF-8 or Windows-1251,
// detected). The rule:
//  - a UTF-16 or UTF-32 file (a byte-order mark, or ASCII interleaved with zero bytes) is named
//    as such and refused: Excel's «Текст Юникод» is not a format the pipeline reads;
//  - a UTF-8 byte-order mark, or bytes that are valid UTF-8 throughout: UTF-8;
//  - otherwise Windows-1251 (what Excel's «CSV (разделители — запятые)» writes on a Russian
//    Windows; every byte maps to a character);
//  - ambiguity is refused, saying what was seen: a file with a line of Cyrillic in UTF-8 and a
//    line that is not UTF-8 (two files glued together) would turn into mojibake either way; a
//    file that starts with the UTF-8 mark and then is not UTF-8 is broken.
// A workbook or an old .xls under a text name is recognized by its signature and named.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { UsageError } from '../kernel/errors.ts';

export type TextEncoding = 'utf-8' | 'windows-1251';

export interface DetectedEncoding {
  encoding: TextEncoding;
  /** The file starts with a UTF-8 byte-order mark (the decoder drops it). */
  bom: boolean;
}

const SAMPLE = 4096;

/** What the first bytes say, when they settle the matter: a foreign format or UTF-16/32. */
function signatureProblem(head: Buffer, fileLabel: string): string | null {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (starts(0x50, 0x4b, 0x03, 0x04)) {
    return `Файл ${fileLabel} — это книга Excel (.xlsx) или другой ZIP-архив, а не текст CSV: дайте файлу расширение .xlsx или сохраните его как CSV`;
  }
  if (starts(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1)) {
    return `Файл ${fileLabel} — это книга Excel 97–2003 (.xls) или книга, защищённая паролем, а не текст CSV: сохраните её как CSV или .xlsx без пароля`;
  }
  const utf16 = (which: string) =>
    `Файл ${fileLabel} в кодировке ${which} (так Excel сохраняет «Текст Юникод»), а принимаются UTF-8 и Windows-1251: ` +
    'сохраните его в Excel как «CSV UTF-8» или «CSV (разделители — запятые)»';
  if (starts(0xff, 0xfe, 0x00, 0x00) || starts(0x00, 0x00, 0xfe, 0xff)) return utf16('UTF-32');
  if (starts(0xff, 0xfe)) return utf16('UTF-16 LE');
  if (starts(0xfe, 0xff)) return utf16('UTF-16 BE');
  // No mark: ASCII text in UTF-16 has a zero byte in every other position, on one side only.
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < head.length; i++) {
    if (head[i] === 0) {
      if (i % 2 === 0) evenZeros++;
      else oddZeros++;
    }
  }
  const half = head.length / 2;
  if (head.length >= 8) {
    if (oddZeros >= 0.3 * half && evenZeros <= 0.02 * half) return utf16('UTF-16 LE без метки порядка байтов');
    if (evenZeros >= 0.3 * half && oddZeros <= 0.02 * half) return utf16('UTF-16 BE без метки порядка байтов');
  }
  return null;
}

/**
 * Walks the bytes as UTF-8 (the same strictness as TextDecoder's fatal mode: no overlong forms,
 * no surrogates, nothing above U+10FFFF), line by line: the first line that is not UTF-8, and
 * the first line that is UTF-8 and holds Cyrillic letters (two or more: one accidental pair of
 * Windows-1251 bytes can look like a UTF-8 letter).
 */
class Utf8Survey {
  line = 1;
  firstInvalidLine = 0;
  firstCyrillicLine = 0;
  /** A line with UTF-8 Cyrillic letters and bytes that are not UTF-8: a UTF-8 file with a broken byte. */
  firstBrokenUtf8Line = 0;
  private need = 0;
  private lo = 0x80;
  private hi = 0xbf;
  private cp = 0;
  private seqLength = 0;
  private lineInvalid = false;
  private lineCyrillic = 0;

  /** Settled: both kinds of line were seen. */
  get mixed(): boolean {
    return (this.firstInvalidLine > 0 && this.firstCyrillicLine > 0) || this.firstBrokenUtf8Line > 0;
  }

  push(bytes: Buffer): void {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (this.need > 0) {
        if (b >= this.lo && b <= this.hi) {
          this.cp = (this.cp << 6) | (b & 0x3f);
          this.lo = 0x80;
          this.hi = 0xbf;
          if (--this.need === 0 && this.seqLength === 2 && this.cp >= 0x400 && this.cp <= 0x4ff) this.lineCyrillic++;
          continue;
        }
        this.need = 0;
        this.lineInvalid = true; // and b starts afresh
      }
      if (b < 0x80) {
        if (b === 0x0a) this.endLine();
        continue;
      }
      this.lo = 0x80;
      this.hi = 0xbf;
      if (b >= 0xc2 && b <= 0xdf) {
        this.start(b & 0x1f, 1);
      } else if (b >= 0xe0 && b <= 0xef) {
        this.start(b & 0x0f, 2);
        if (b === 0xe0) this.lo = 0xa0;
        if (b === 0xed) this.hi = 0x9f;
      } else if (b >= 0xf0 && b <= 0xf4) {
        this.start(b & 0x07, 3);
        if (b === 0xf0) this.lo = 0x90;
        if (b === 0xf4) this.hi = 0x8f;
      } else {
        this.lineInvalid = true;
      }
    }
  }

  finish(): void {
    if (this.need > 0) this.lineInvalid = true;
    this.need = 0;
    this.endLine();
  }

  private start(bits: number, need: number): void {
    this.cp = bits;
    this.need = need;
    this.seqLength = need + 1;
  }

  private endLine(): void {
    if (this.lineInvalid) {
      if (!this.firstInvalidLine) this.firstInvalidLine = this.line;
      if (this.lineCyrillic >= 2 && !this.firstBrokenUtf8Line) this.firstBrokenUtf8Line = this.line;
    } else if (this.lineCyrillic >= 2 && !this.firstCyrillicLine) {
      this.firstCyrillicLine = this.line;
    }
    this.lineInvalid = false;
    this.lineCyrillic = 0;
    this.line++;
  }
}

/** The common case, fast: the whole file decodes as UTF-8 (the native decoder, no line survey). */
async function isUtf8File(file: string): Promise<boolean> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const stream = createReadStream(file, { highWaterMark: 1 << 16 });
  try {
    for await (const chunk of stream) decoder.decode(chunk as Buffer, { stream: true });
    decoder.decode();
    return true;
  } catch {
    return false;
  } finally {
    stream.destroy();
  }
}

/** Detects the encoding of a CSV file (see the top of this file); UsageError when it cannot be read. */
export async function detectEncoding(file: string, fileLabel: string): Promise<DetectedEncoding> {
  const handle = await open(file, 'r');
  let head: Buffer;
  try {
    const buf = Buffer.alloc(SAMPLE);
    const { bytesRead } = await handle.read(buf, 0, SAMPLE, 0);
    head = buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const problem = signatureProblem(head, fileLabel);
  if (problem) throw new UsageError(problem);
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;

  if (await isUtf8File(file)) return { encoding: 'utf-8', bom };
  const survey = new Utf8Survey();
  const stream = createReadStream(file, { highWaterMark: 1 << 16 });
  try {
    for await (const chunk of stream) {
      survey.push(chunk as Buffer);
      if (survey.mixed) break;
    }
  } finally {
    stream.destroy();
  }
  if (!survey.mixed) survey.finish();

  if (!survey.firstInvalidLine) return { encoding: 'utf-8', bom };
  if (bom) {
    throw new UsageError(
      `Файл ${fileLabel} начинается с метки UTF-8, но строка ${survey.firstInvalidLine} не в UTF-8 ` +
        '(файл повреждён или склеен из файлов в разных кодировках): сохраните весь файл в одной кодировке',
    );
  }
  if (survey.firstBrokenUtf8Line) {
    throw new UsageError(
      `Файл ${fileLabel}: строка ${survey.firstBrokenUtf8Line} записана в UTF-8, но в ней есть байты не в UTF-8 ` +
        '(файл повреждён): кодировку не определить, сохраните файл заново в UTF-8 или Windows-1251',
    );
  }
  if (survey.firstCyrillicLine) {
    throw new UsageError(
      `Файл ${fileLabel}: смешаны кодировки — строка ${survey.firstCyrillicLine} записана в UTF-8, а строка ` +
        `${survey.firstInvalidLine} не в UTF-8 (похоже на Windows-1251): сохраните весь файл в одной кодировке`,
    );
  }
  return { encoding: 'windows-1251', bom: false };
}

/** For formats that must be UTF-8 (JSON, XML): the reason a file is not, named, or null. */
export function notUtf8Reason(bytes: Buffer, fileLabel: string, format: string): string | null {
  const problem = signatureProblem(bytes.subarray(0, SAMPLE), fileLabel);
  if (problem && /UTF-(16|32)/.test(problem)) {
    return `Файл ${fileLabel} в кодировке ${/UTF-32/.test(problem) ? 'UTF-32' : 'UTF-16'}, а ${format} принимается только в UTF-8: сохраните файл в UTF-8`;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return null;
  } catch {
    return `Файл ${fileLabel} не в кодировке UTF-8 (похоже на Windows-1251 или другую кодировку): ${format} принимается только в UTF-8, сохраните файл в UTF-8`;
  }
}
