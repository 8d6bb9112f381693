// The matching rules as data: reference/statement-mappings.json says, per format and bank, which
// field of an entry carries each attribute the matcher reads (model.ts EntryAttributes), when the
// period starts, and which entries are the bank's own fees. One evaluator for all formats: a
// bank's quirks are a new entry in the file, not a code change.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { addDays, isValidDate } from '../kernel/dates.ts';
import {
  ATTRIBUTE_NAMES,
  emptyAttributes,
  type Direction,
  type EntryAttributes,
  type RawEntry,
  type RawStatement,
  type Statement,
  type StatementFormat,
} from './model.ts';

export const STATEMENT_MAPPINGS_FILE = fileURLToPath(new URL('../../reference/statement-mappings.json', import.meta.url));

/** The JSON names of the attributes (snake case, as in the file). */
const JSON_NAMES: Record<keyof EntryAttributes, string> = {
  instructionId: 'instruction_id',
  endToEndId: 'end_to_end_id',
  messageId: 'message_id',
  documentNumber: 'document_number',
  documentDate: 'document_date',
  counterpartyIban: 'counterparty_iban',
  counterpartyName: 'counterparty_name',
  counterpartyId: 'counterparty_id',
  purpose: 'purpose',
  reasonCode: 'reason_code',
  reasonText: 'reason_text',
  bankReference: 'bank_reference',
  bankTxCode: 'bank_tx_code',
};

function regexProblem(p: string, needsGroup: boolean): string | null {
  let re: RegExp;
  try {
    re = new RegExp(`${p}|`, 'u');
  } catch {
    return 'некорректное регулярное выражение';
  }
  // `p|` matches the empty text; its match has one element more per capture group.
  if (needsGroup && re.exec('')!.length < 2) return 'в шаблоне нужна группа ( ) со значением';
  return null;
}

const regexSource = z.string().superRefine((p, ctx) => {
  const why = regexProblem(p, false);
  if (why) ctx.addIssue({ code: 'custom', message: why });
});

const source = z.union([
  z.string().min(1),
  z.strictObject({
    field: z.string().min(1),
    pattern: z.string().superRefine((p, ctx) => {
      const why = regexProblem(p, true);
      if (why) ctx.addIssue({ code: 'custom', message: why });
    }),
  }),
]);
const sources = z.union([z.array(source), z.strictObject({ credit: z.array(source), debit: z.array(source) })]);
const attributes = z.strictObject(Object.fromEntries(ATTRIBUTE_NAMES.map((a) => [JSON_NAMES[a], sources.optional()])) as Record<string, z.ZodOptional<typeof sources>>);
const fee = z.strictObject({ bank_tx_codes: z.array(z.string()), purpose_patterns: z.array(regexSource) });
const periodStart = z.enum(['opening_date', 'day_after_opening_date']);

const mappingSchema = z.strictObject({ period_start: periodStart, attributes, fee });
const bankMappingSchema = z.strictObject({ period_start: periodStart.optional(), attributes: attributes.optional(), fee: fee.optional() });
const formatSchema = z.strictObject({ default: mappingSchema, banks: z.record(z.string().regex(/^[A-Z0-9]{8}$/), bankMappingSchema) });
const fileSchema = z.strictObject({
  note: z.string().optional(),
  formats: z.strictObject({ camt053: formatSchema, mt940: formatSchema, onec: formatSchema } satisfies Record<StatementFormat, typeof formatSchema>),
});

type Source = z.infer<typeof source>;
type Sources = z.infer<typeof sources>;

export interface Mapping {
  /** "camt053:default" or "camt053:HSBKKZKX": stored with the statement. */
  name: string;
  format: StatementFormat;
  periodStart: 'opening_date' | 'day_after_opening_date';
  attributes: Partial<Record<keyof EntryAttributes, Sources>>;
  fee: { bankTxCodes: string[]; purposePatterns: RegExp[] };
}

export type MappingFile = z.infer<typeof fileSchema>;

export class MappingFileError extends Error {}

export function loadMappings(file: string = STATEMENT_MAPPINGS_FILE): MappingFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new MappingFileError(`Не удалось прочитать правила сопоставления выписок ${file}: ${(e as Error).message}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new MappingFileError(
      `Некорректные правила сопоставления выписок ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

function toAttributes(json: Record<string, Sources | undefined> | undefined): Partial<Record<keyof EntryAttributes, Sources>> {
  const out: Partial<Record<keyof EntryAttributes, Sources>> = {};
  for (const a of ATTRIBUTE_NAMES) {
    const v = json?.[JSON_NAMES[a]];
    if (v !== undefined) out[a] = v;
  }
  return out;
}

/** The mapping of a format for a bank: the bank's entries over the format's default. */
export function mappingFor(file: MappingFile, format: StatementFormat, bic: string): Mapping {
  const f = file.formats[format];
  const bank = bic !== '' ? f.banks[bic] : undefined;
  const fees = bank?.fee ?? f.default.fee;
  return {
    name: `${format}:${bank ? bic : 'default'}`,
    format,
    periodStart: bank?.period_start ?? f.default.period_start,
    attributes: { ...toAttributes(f.default.attributes), ...toAttributes(bank?.attributes) },
    fee: { bankTxCodes: fees.bank_tx_codes, purposePatterns: fees.purpose_patterns.map((p) => new RegExp(p, 'iu')) },
  };
}

/** Every field name the mappings of a format read (MT940: the :86: codes to split out). */
export function fieldsRead(file: MappingFile, format: StatementFormat): Set<string> {
  const f = file.formats[format];
  const out = new Set<string>();
  const add = (s: Sources | undefined) => {
    if (!s) return;
    for (const x of Array.isArray(s) ? s : [...s.credit, ...s.debit]) out.add(typeof x === 'string' ? x : x.field);
  };
  for (const m of [f.default, ...Object.values(f.banks)]) for (const v of Object.values(m.attributes ?? {})) add(v as Sources);
  return out;
}

function valueOf(fields: Record<string, string>, s: Source): string {
  if (typeof s === 'string') return (fields[s] ?? '').trim();
  const text = fields[s.field];
  if (text === undefined) return '';
  const m = new RegExp(s.pattern, 'u').exec(text);
  return (m?.[1] ?? '').trim();
}

function attribute(fields: Record<string, string>, list: Sources | undefined, direction: Direction): string {
  if (!list) return '';
  for (const s of Array.isArray(list) ? list : list[direction]) {
    const v = valueOf(fields, s);
    if (v !== '') return v;
  }
  return '';
}

/** ДД.ММ.ГГГГ, ГГГГ-ММ-ДД → ГГГГ-ММ-ДД; anything else ''. */
function isoDate(text: string): string {
  const m = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(text);
  const iso = m ? `${m[3]}-${m[2]}-${m[1]}` : text;
  return isValidDate(iso) ? iso : '';
}

/** The attributes of one entry by the mapping. */
export function attributesOf(entry: RawEntry, mapping: Mapping): EntryAttributes {
  const a = emptyAttributes();
  for (const name of ATTRIBUTE_NAMES) a[name] = attribute(entry.fields, mapping.attributes[name], entry.direction);
  a.documentDate = isoDate(a.documentDate);
  a.counterpartyIban = a.counterpartyIban.replace(/\s+/g, '').toUpperCase();
  return a;
}

/** A raw statement read through a mapping: the period per its period_start, the attributes named. */
export function applyMapping(raw: RawStatement, mapping: Mapping): Statement {
  let from = raw.from;
  if (raw.periodFromOpening && mapping.periodStart === 'day_after_opening_date' && raw.from < raw.to) from = addDays(raw.from, 1);
  return {
    format: raw.format,
    statementNo: raw.statementNo,
    createdAt: raw.createdAt,
    account: raw.account,
    servicerBic: raw.servicerBic,
    from,
    to: raw.to,
    statementDate: raw.statementDate,
    opening: raw.opening,
    closing: raw.closing,
    declared: raw.declared,
    entries: raw.entries.map((e) => ({
      seq: e.seq,
      direction: e.direction,
      amount: e.amount,
      bookingDate: e.bookingDate,
      valueDate: e.valueDate,
      reversal: e.reversal,
      transactions: e.transactions,
      attributes: attributesOf(e, mapping),
    })),
  };
}

/** Whether an entry is the bank's own fee by the mapping (an unmatched entry with that reason). */
export function isBankFee(a: EntryAttributes, mapping: Mapping): boolean {
  if (a.bankTxCode !== '' && mapping.fee.bankTxCodes.includes(a.bankTxCode)) return true;
  return a.purpose !== '' && mapping.fee.purposePatterns.some((re) => re.test(a.purpose));
}
