// Site requisites (DOMAIN.md §6–7, INTERFACE.md «Site requisites»): the State Corporation's own
// account (the payer of every payment order, the account a МИО is asked to fund), the accounts
// the contributions are paid to per КНП (the State Corporation's, not ЕНПФ/ФСМС/ГФСС), and the
// four-eyes switch. They are site configuration, not code:
//
//   - `payouts import requisites FILE` checks every account (БИН, БИК, IBAN mod-97, КБе, the
//     three КНП of the contributions) and stores the document as a new version (append-only,
//     audited with the operator); the highest version is in force.
//   - Before any import, the samples shipped in reference/ (state-corporation.json,
//     contribution-receivers.json, marked `synthetic`) are in force. A document built from them
//     — a bank file, a register, a request — is written only where samples are allowed
//     explicitly (PAYOUTS_ALLOW_SAMPLE_REQUISITES=1: the demo and the tests), and is marked
//     «ОБРАЗЕЦ». Everywhere else `documentRequisites` returns the refusal to say instead.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';
import { z } from 'zod';
import { BusinessRuleError, UsageError } from '../kernel/errors.ts';
import { isValidBik, isValidIinBin, isValidKzIban } from '../kernel/identifiers.ts';
import { knpCode } from '../kernel/reference.ts';
import { loadStateCorporation } from '../orders/state-corporation.ts';
import { notUtf8Reason } from '../imports/encoding.ts';
import { duplicateJsonKey } from '../kernel/json-keys.ts';
import { describeChar, firstUnsafe, visible } from '../../schemas/characters.ts';

type Q = Knex | Knex.Transaction;

/** The environment variable that lets sample requisites into documents (the demo, the tests). */
export const ALLOW_SAMPLE_ENV = 'PAYOUTS_ALLOW_SAMPLE_REQUISITES';

/** The mark of every document built from sample requisites. */
export const SAMPLE_MARK = 'ОБРАЗЕЦ';

export const SAMPLE_RECEIVERS_FILE = fileURLToPath(new URL('../../reference/contribution-receivers.json', import.meta.url));

/** Whether this process may put sample requisites into documents. */
export function samplesAllowed(): boolean {
  return process.env[ALLOW_SAMPLE_ENV] === '1';
}

const kbe = z.string().regex(/^[12][1-9]$/, { message: 'КБе: две цифры — признак резидентства (1 или 2) и сектор экономики (1–9)' });
const accountShape = {
  bin: z.string({ message: 'БИН не задан' }).refine(isValidIinBin, { message: 'некорректный БИН (12 цифр с контрольной цифрой)' }),
  name: z.string({ message: 'наименование не задано' }).trim().min(1, { message: 'наименование не задано' }).max(140, { message: 'наименование длиннее 140 символов' }),
  bik: z.string({ message: 'БИК не задан' }).refine(isValidBik, { message: 'некорректный БИК (8 символов, например GCVPKZ2A)' }),
  iban: z.string({ message: 'IBAN не задан' }).refine(isValidKzIban, { message: 'некорректный IBAN (KZ, 20 символов, контрольные цифры ISO 13616)' }),
  kbe,
};
const accountSchema = z.strictObject(accountShape);
const contributionAccountSchema = z.strictObject({
  knp: z.string({ message: 'КНП не задан' }).regex(/^\d{3}$/, { message: 'КНП: три цифры' }),
  ...accountShape,
});
const requisitesSchema = z.strictObject({
  state_corporation: accountSchema,
  contributions: z.array(contributionAccountSchema, { message: 'ожидается список счетов по КНП' }),
  four_eyes: z.boolean({ message: 'four_eyes: true или false' }),
});

export type RequisitesAccount = z.infer<typeof accountSchema>;
export type ContributionAccount = z.infer<typeof contributionAccountSchema>;
export type SiteRequisites = z.infer<typeof requisitesSchema>;

export interface RequisitesInForce {
  requisites: SiteRequisites;
  /** The samples of reference/: no requisites were imported yet. */
  sample: boolean;
  /** The imported version in force; null for the samples. */
  version: number | null;
}

/** The samples shipped in reference/, as one requisites document. */
export function sampleRequisites(): SiteRequisites {
  const gk = loadStateCorporation();
  const receivers = JSON.parse(readFileSync(SAMPLE_RECEIVERS_FILE, 'utf8')) as { contributions: ContributionAccount[] };
  return {
    state_corporation: { bin: gk.bin, name: gk.name, bik: gk.bik, iban: gk.iban, kbe: gk.kod },
    contributions: receivers.contributions.map((c) => ({ knp: c.knp, name: c.name, bin: c.bin, bik: c.bik, iban: c.iban, kbe: c.kbe })),
    four_eyes: true,
  };
}

/** The requisites in force: the latest imported version, else the samples. */
export async function requisitesInForce(db: Q): Promise<RequisitesInForce> {
  const row = (await db('site_requisites').orderBy('version', 'desc').first('version', 'document')) as
    | { version: number; document: SiteRequisites | string }
    | undefined;
  if (!row) return { requisites: sampleRequisites(), sample: true, version: null };
  const document = typeof row.document === 'string' ? (JSON.parse(row.document) as SiteRequisites) : row.document;
  return { requisites: document, sample: false, version: Number(row.version) };
}

/** A stored version of the site's requisites (a payment order's file keeps the version of its first write). */
export async function requisitesVersion(db: Q, version: number): Promise<RequisitesInForce> {
  const row = (await db('site_requisites').where({ version }).first('version', 'document')) as { version: number; document: SiteRequisites | string };
  const document = typeof row.document === 'string' ? (JSON.parse(row.document) as SiteRequisites) : row.document;
  return { requisites: document, sample: false, version: Number(row.version) };
}

/** Whether payment orders need a second operator's approval (INTERFACE «Site requisites»; default true). */
export async function fourEyesInForce(db: Q): Promise<boolean> {
  return (await requisitesInForce(db)).requisites.four_eyes;
}

/** The account in force for a contribution's КНП. */
export function contributionAccount(r: SiteRequisites, knp: string): ContributionAccount {
  const account = r.contributions.find((c) => c.knp === knp);
  if (!account) throw new Error(`no contribution account for КНП ${knp} in the requisites in force`);
  return account;
}

/** The Russian refusal for `what` (e.g. «Файлы pain.001 платёжных поручений») built from samples. */
export function sampleRefusal(what: string, then?: string): string {
  return (
    `${what} не записаны: реквизиты площадки не загружены, в силе образцы из поставки (reference/, помечены ` +
    `«synthetic»), а с образцами банковские файлы, реестры и заявки не формируются. Загрузите настоящие ` +
    `реквизиты Госкорпорации и счета взносов: payouts import requisites ФАЙЛ` +
    (then ? `; затем ${then}.` : '.')
  );
}

export type DocumentRequisites = (RequisitesInForce & { ok: true }) | { ok: false; refusal: string };

/**
 * The requisites a document that leaves ГК is built from: those in force, when they are real or
 * samples are allowed here (`sample` then says to mark the document «ОБРАЗЕЦ»); otherwise the
 * refusal, in Russian, saying how to fix it (and `then`, what to run afterwards).
 */
export async function documentRequisites(db: Q, what: string, then?: string): Promise<DocumentRequisites> {
  const r = await requisitesInForce(db);
  if (r.sample && !samplesAllowed()) return { ok: false, refusal: sampleRefusal(what, then) };
  return { ok: true, ...r };
}

/** documentRequisites, refusing (exit 4, rule sample-requisites) instead of returning the refusal. */
export async function requireDocumentRequisites(db: Q, what: string, then?: string): Promise<RequisitesInForce> {
  const r = await documentRequisites(db, what, then);
  if (!r.ok) throw new BusinessRuleError('sample-requisites', r.refusal);
  return r;
}

// ---------------------------------------------------------------------------------------------
// `payouts import requisites FILE`

export interface FieldError {
  field: string;
  reason: string;
}

function fieldName(p: PropertyKey[]): string {
  let s = '';
  for (const k of p) s += typeof k === 'number' ? `[${k}]` : s ? `.${String(k)}` : String(k);
  return s || '(документ)';
}

/** The contribution КНП a requisites document must carry, once each: ОПВ, ВОСМС, СО. */
async function contributionKnps(db: Q): Promise<string[]> {
  return [await knpCode(db, 'opv'), await knpCode(db, 'osms'), await knpCode(db, 'so')];
}

/**
 * Checks a requisites document: every account (БИН, БИК, IBAN mod-97, КБе), the contribution
 * accounts once per КНП of ОПВ, ВОСМС and СО, and no account of the shipped samples. Returns the
 * document, or the reasons field by field.
 */
export function checkRequisites(raw: unknown, knps: string[]): { ok: true; value: SiteRequisites } | { ok: false; errors: FieldError[] } {
  const parsed = requisitesSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => ({
        field: fieldName(i.path),
        reason:
          i.code === 'unrecognized_keys'
            ? `неизвестные поля: ${i.keys.join(', ')}`
            : i.code === 'invalid_type' && i.input === undefined
              ? 'поле не задано'
              : i.message,
      })),
    };
  }
  const value = parsed.data;
  const errors: FieldError[] = [];
  value.contributions.forEach((c, i) => {
    if (!knps.includes(c.knp)) errors.push({ field: `contributions[${i}].knp`, reason: `КНП ${c.knp} — не взнос (ожидается один из ${knps.join(', ')})` });
    else if (value.contributions.findIndex((x) => x.knp === c.knp) !== i) {
      errors.push({ field: `contributions[${i}].knp`, reason: `КНП ${c.knp} указан повторно` });
    }
  });
  for (const knp of knps) {
    if (!value.contributions.some((c) => c.knp === knp)) errors.push({ field: 'contributions', reason: `нет счёта для КНП ${knp}` });
  }
  // An account of the shipped samples is not a site's account (the ОПВ account the law names is real).
  const samples = sampleRequisites();
  const fake = new Set([samples.state_corporation.iban, ...samples.contributions.filter((c) => c.iban.includes('SYN')).map((c) => c.iban)]);
  const accounts: [string, RequisitesAccount][] = [
    ['state_corporation', value.state_corporation],
    ...value.contributions.map((c, i): [string, RequisitesAccount] => [`contributions[${i}]`, c]),
  ];
  for (const [field, a] of accounts) {
    if (fake.has(a.iban)) errors.push({ field: `${field}.iban`, reason: `${a.iban} — счёт-образец из поставки, а не счёт площадки` });
  }
  return errors.length ? { ok: false, errors } : { ok: true, value };
}

/** The stored form of a document: keys in a fixed order, contributions by КНП. */
function canonical(r: SiteRequisites): SiteRequisites {
  const account = (a: RequisitesAccount): RequisitesAccount => ({ bin: a.bin, name: a.name, bik: a.bik, iban: a.iban, kbe: a.kbe });
  return {
    state_corporation: account(r.state_corporation),
    contributions: [...r.contributions].sort((a, b) => a.knp.localeCompare(b.knp)).map((c) => ({ knp: c.knp, ...account(c) })),
    four_eyes: r.four_eyes,
  };
}

export interface ImportRequisitesReport {
  file: string;
  status: 'imported' | 'unchanged';
  version: number;
  sha256: string;
  requisites: SiteRequisites;
}

/** Every string of the document holding a character no value may hold (schemas/characters.ts), by field. */
function unsafeStrings(value: unknown, at: (string | number)[] = []): FieldError[] {
  if (typeof value === 'string') {
    const bad = firstUnsafe(value);
    return bad ? [{ field: fieldName(at), reason: `недопустимый символ ${describeChar(bad.cp)} в позиции ${bad.position}` }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => unsafeStrings(v, [...at, i]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => unsafeStrings(v, [...at, k]));
  return [];
}

/**
 * `payouts import requisites FILE`: a new version of the site's requisites, in force from now on,
 * audited with the operator. The same document as the one in force changes nothing. A file that
 * cannot be read or fails a check is refused whole (UsageError, exit 2) with every reason by field.
 */
export async function importRequisites(
  db: Knex,
  req: { file: string; asOf: string; operator: string },
): Promise<ImportRequisitesReport> {
  const refuse = (why: string) => new UsageError(`Реквизиты не загружены: ${req.file} — ${why}. Ничего не изменено.`);
  let raw: unknown;
  let text: string;
  try {
    const bytes = readFileSync(req.file);
    const notUtf8 = notUtf8Reason(bytes, path.basename(req.file), 'JSON');
    if (notUtf8) throw refuse(notUtf8);
    text = new TextDecoder('utf-8').decode(bytes); // a BOM is dropped
    raw = JSON.parse(text);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'файл не найден' : err instanceof SyntaxError ? `это не JSON (${visible(err.message)})` : err.message;
    throw refuse(why);
  }
  const twice = duplicateJsonKey(text);
  if (twice !== null) throw refuse(`поле «${visible(twice)}» указано дважды в одном объекте: какое из значений верное, не ясно`);
  const unsafe = unsafeStrings(raw);
  if (unsafe.length > 0) {
    throw new UsageError(
      [`Реквизиты не загружены: в ${req.file} ошибки (ничего не изменено):`, ...unsafe.map((e) => `  ${e.field}: ${e.reason}`)].join('\n'),
    );
  }
  const checked = checkRequisites(raw, await contributionKnps(db));
  if (!checked.ok) {
    throw new UsageError(
      [`Реквизиты не загружены: в ${req.file} ошибки (ничего не изменено):`, ...checked.errors.map((e) => `  ${e.field}: ${e.reason}`)].join('\n'),
    );
  }
  const document = canonical(checked.value);
  const sha256 = createHash('sha256').update(JSON.stringify(document)).digest('hex');
  const fileName = path.basename(req.file);
  return db.transaction(async (trx) => {
    await trx.raw('lock table site_requisites in exclusive mode');
    const current = (await trx('site_requisites').orderBy('version', 'desc').first('version', 'sha256')) as
      | { version: number; sha256: string }
      | undefined;
    if (current && current.sha256 === sha256) {
      return { file: req.file, status: 'unchanged' as const, version: Number(current.version), sha256, requisites: document };
    }
    const version = current ? Number(current.version) + 1 : 1;
    await trx('site_requisites').insert({
      version,
      document: JSON.stringify(document),
      sha256,
      file_name: fileName,
      as_of: req.asOf,
      operator: req.operator,
    });
    await trx('audit_events').insert({
      as_of: req.asOf,
      operator: req.operator,
      action: 'import requisites',
      object: fileName,
      details: JSON.stringify({ version, sha256, previous_version: current ? Number(current.version) : null, ...document }),
    });
    return { file: req.file, status: 'imported' as const, version, sha256, requisites: document };
  });
}

/** The finance officer's summary of an import. */
export function describeRequisitesImport(r: ImportRequisitesReport): string {
  const gk = r.requisites.state_corporation;
  const lines = [
    r.status === 'imported'
      ? `Реквизиты площадки загружены из ${r.file}: версия ${r.version}, действует с этого момента.`
      : `Реквизиты из ${r.file} совпадают с действующей версией ${r.version}; ничего не изменено.`,
    `  Госкорпорация: ${gk.name}, БИН ${gk.bin}, БИК ${gk.bik}, IBAN ${gk.iban}, КБе ${gk.kbe}`,
    ...r.requisites.contributions.map((c) => `  взносы КНП ${c.knp}: ${c.name}, БИН ${c.bin}, БИК ${c.bik}, IBAN ${c.iban}, КБе ${c.kbe}`),
    `  два подписанта платёжных поручений (four_eyes): ${r.requisites.four_eyes ? 'да' : 'нет'}`,
  ];
  return lines.join('\n');
}
