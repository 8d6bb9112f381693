// Reads and validates the versioned reference files shipped in reference/:
//   calendar/<year>.json  working-day calendar of one year (DOMAIN.md §8)
//   rates/<year>.json     МРП, МЗП, contribution rates, caps, rounding (DOMAIN.md §2)
//   knp.json              payment-purpose codes by role (DOMAIN.md §7)
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { isValidDate, isWeekend } from './dates.ts';

export const DEFAULT_REFERENCE_DIR = fileURLToPath(new URL('../../reference/', import.meta.url));

export class ReferenceFileError extends Error {}

const yearSchema = z.number().int().min(2000).max(2100);
const isoDateSchema = z.string().refine(isValidDate, { message: 'ожидается дата ГГГГ-ММ-ДД' });
const decimalSchema = z.string().regex(/^\d{1,12}(\.\d{1,4})?$/, { message: 'ожидается десятичное число строкой, например "13.64"' });

export const providerKinds = ['assistant', 'entrepreneur', 'legal_entity'] as const;
export type ProviderKind = (typeof providerKinds)[number];

export const calendarYearSchema = z
  .strictObject({
    year: yearSchema,
    off: z.array(isoDateSchema),
    work: z.array(isoDateSchema),
  })
  .superRefine((c, ctx) => {
    const check = (list: 'off' | 'work', weekend: boolean) => {
      const seen = new Set<string>();
      c[list].forEach((d, i) => {
        if (!isValidDate(d)) return; // reported by the element schema
        const problem = !d.startsWith(`${c.year}-`)
          ? `дата ${d} не относится к ${c.year} году`
          : seen.has(d)
            ? `дата ${d} указана дважды`
            : isWeekend(d) !== weekend
              ? weekend
                ? `${d} не выходной день: в "work" перечисляются только рабочие субботы и воскресенья`
                : `${d} выходной день: в "off" перечисляются только нерабочие будни`
              : null;
        if (problem) ctx.addIssue({ code: 'custom', path: [list, i], message: problem });
        seen.add(d);
      });
    };
    check('off', false);
    check('work', true);
  });

export const yearRatesSchema = z.strictObject({
  year: yearSchema,
  mrp: decimalSchema,
  mzp: decimalSchema,
  hourly_rate_percent: decimalSchema,
  opv_percent: decimalSchema,
  osms_percent: decimalSchema,
  so_percent: decimalSchema,
  opv_cap_mzp: decimalSchema,
  osms_cap_mzp: decimalSchema,
  so_cap_mzp: decimalSchema,
  rounding: z.enum(['tiyn', 'tenge']),
  withholding_kinds: z.array(z.enum(providerKinds)),
});

export const knpRoles = ['opv', 'osms', 'so', 'reimbursement', 'to_mio'] as const;
export type KnpRole = (typeof knpRoles)[number];

export const knpCodeSchema = z.strictObject({
  code: z.string().regex(/^\d{3}$/, { message: 'КНП: ожидается три цифры' }),
  role: z.enum(knpRoles),
  name: z.string().min(1),
  note: z.string().optional(),
});

export const knpFileSchema = z.array(knpCodeSchema).superRefine((list, ctx) => {
  for (const role of knpRoles) {
    const n = list.filter((k) => k.role === role).length;
    if (n !== 1) ctx.addIssue({ code: 'custom', path: [], message: `роль "${role}" должна встречаться ровно один раз (найдено ${n})` });
  }
});

export type CalendarYear = { year: number; off: string[]; work: string[] };
export type YearRates = z.infer<typeof yearRatesSchema>;
export type KnpCode = z.infer<typeof knpCodeSchema>;

export interface ReferenceFiles {
  calendars: CalendarYear[];
  rates: YearRates[];
  knp: KnpCode[];
}

function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(корень)'}: ${i.message}`).join('; ');
}

function readJson<T>(file: string, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ReferenceFileError(`Не удалось прочитать файл справочника ${file}: ${(e as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ReferenceFileError(`Некорректный файл справочника ${file}: ${formatIssues(parsed.error)}`);
  }
  return parsed.data;
}

/** Reads every <year>.json of a folder; the year inside must match the file name. */
function readYearFiles<T extends { year: number }>(folder: string, schema: z.ZodType<T>): T[] {
  let names: string[];
  try {
    names = readdirSync(folder).filter((n) => n.endsWith('.json'));
  } catch (e) {
    throw new ReferenceFileError(`Не удалось прочитать папку справочника ${folder}: ${(e as Error).message}`);
  }
  const result = names.map((name) => {
    const file = join(folder, name);
    if (!/^\d{4}\.json$/.test(name)) throw new ReferenceFileError(`Файл справочника ${file}: имя должно быть ГГГГ.json`);
    const data = readJson(file, schema);
    if (String(data.year) !== name.slice(0, 4)) {
      throw new ReferenceFileError(`Файл справочника ${file}: год ${data.year} не совпадает с именем файла`);
    }
    return data;
  });
  return result.sort((a, b) => a.year - b.year);
}

export function readReferenceFiles(dir: string = DEFAULT_REFERENCE_DIR): ReferenceFiles {
  return {
    calendars: readYearFiles(join(dir, 'calendar'), calendarYearSchema),
    rates: readYearFiles(join(dir, 'rates'), yearRatesSchema),
    knp: readJson(join(dir, 'knp.json'), knpFileSchema),
  };
}
