// The three statement formats behind one door: which format a file is (by its content, never by
// its name), its parsing into the neutral statement through the mapping, and the writers.
import { parseCamt053, looksLikeCamt053, writeCamt053 } from './camt053.ts';
import { fieldsRead, loadMappings, mappingFor, applyMapping, type Mapping, type MappingFile } from './mapping.ts';
import { looksLikeMt940, parseMt940, writeMt940 } from './mt940.ts';
import { StatementFormatError, FORMAT_LABEL, type RawStatement, type Statement, type StatementFormat } from './model.ts';
import { looksLikeOnec, parseOnec, writeOnec, type OnecWriteOptions } from './onec.ts';

/** Text of an XML or MT940 file: UTF-8, else (MT940 only) Windows-1251. */
function decodeText(bytes: Uint8Array, allow1251: boolean): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    if (!allow1251) return null;
    return new TextDecoder('windows-1251').decode(bytes);
  }
}

/** The format of a statement file by its content, or null when it is none of the three. */
export function detectFormat(bytes: Uint8Array): StatementFormat | null {
  if (looksLikeOnec(bytes)) return 'onec';
  const text = decodeText(bytes.subarray(0, 64 * 1024), true) ?? '';
  if (looksLikeCamt053(text)) return 'camt053';
  if (looksLikeMt940(text)) return 'mt940';
  return null;
}

/** Parses a statement file of any of the three formats. Throws StatementFormatError (exit 2). */
export function parseStatement(bytes: Uint8Array, fileLabel: string, mappings: MappingFile = loadMappings()): RawStatement {
  const format = detectFormat(bytes);
  if (format === null) {
    throw new StatementFormatError(
      `Файл ${fileLabel} не похож на выписку банка: ожидается ${Object.values(FORMAT_LABEL).join(', ')} (формат определяется по содержимому)`,
    );
  }
  try {
    switch (format) {
      case 'onec':
        return parseOnec(bytes);
      case 'camt053': {
        const text = decodeText(bytes, false);
        if (text === null) throw new StatementFormatError('camt.053: файл не в кодировке UTF-8');
        return parseCamt053(text);
      }
      case 'mt940':
        return parseMt940(decodeText(bytes, true)!, [...fieldsRead(mappings, 'mt940')].filter((f) => f.startsWith('86.')).map((f) => f.slice(3)));
    }
  } catch (e) {
    if (e instanceof StatementFormatError) throw new StatementFormatError(`Файл ${fileLabel}: ${e.message}`);
    throw e;
  }
}

/**
 * A statement file read and named through its mapping: the bank's own mapping where the file
 * names the bank (else `defaultBic`, the bank of the account), else the format's default.
 */
export function readStatement(
  bytes: Uint8Array,
  fileLabel: string,
  opts: { defaultBic?: string; mappings?: MappingFile } = {},
): { raw: RawStatement; statement: Statement; mapping: Mapping } {
  const mappings = opts.mappings ?? loadMappings();
  const raw = parseStatement(bytes, fileLabel, mappings);
  const mapping = mappingFor(mappings, raw.format, raw.servicerBic || opts.defaultBic || '');
  return { raw, statement: applyMapping(raw, mapping), mapping };
}

/** The file of a statement in a format (1C in Windows-1251, the others UTF-8). */
export function writeStatement(s: Statement, format: StatementFormat, opts: OnecWriteOptions = {}): Buffer {
  switch (format) {
    case 'camt053':
      return Buffer.from(writeCamt053({ ...s, format }), 'utf8');
    case 'mt940':
      return Buffer.from(writeMt940({ ...s, format }), 'utf8');
    case 'onec':
      return writeOnec({ ...s, format }, opts);
  }
}

/** The usual file name of a statement in a format. */
export function statementFileName(format: StatementFormat, date: string): string {
  return `statement_${date}.${format === 'camt053' ? 'xml' : format === 'mt940' ? 'sta' : 'txt'}`;
}
