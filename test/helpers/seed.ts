// Master data and acts inserted directly for tests: МИО, banks, providers with their bank-details
// versions, acts, exemptions. Every identifier is synthetic with a valid checksum (ИИН/БИН by
// iinBinCheckDigit, IBAN by makeKzIban) and every name is generated, so no real person appears.
// Values are deterministic for a given sequence number; `nextSeq()` hands out fresh ones.
import type { Db } from '../../pipeline/kernel/db.ts';
import { addDays, addMonths, firstDayOfMonth } from '../../pipeline/kernel/dates.ts';
import { iinBinCheckDigit, makeKzIban } from '../../pipeline/kernel/identifiers.ts';

let seq = 0;
/** A fresh sequence number for this test process. */
export function nextSeq(): number {
  return ++seq;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/**
 * A synthetic ИИН: birth date YYMMDD, a century/sex digit, a 4-digit serial, the check digit.
 * Distinct sequence numbers give distinct ИИН (up to 168 million).
 */
export function synthIin(n: number = nextSeq()): string {
  const serial = n % 10_000;
  const q = Math.floor(n / 10_000);
  const day = 1 + (q % 28);
  const month = 1 + (Math.floor(q / 28) % 12);
  const year = 50 + (Math.floor(q / 336) % 50);
  const head = `${pad(year, 2)}${pad(month, 2)}${pad(day, 2)}`;
  for (const centurySex of [3, 4, 5, 6]) {
    const first11 = `${head}${centurySex}${pad(serial, 4)}`;
    const check = iinBinCheckDigit(first11);
    if (check !== null) return `${first11}${check}`;
  }
  throw new Error(`no valid ИИН for sequence ${n}`);
}

/** A synthetic БИН: registration YYMM, type digit 4 (resident legal entity), a 6-digit serial, the check digit. */
export function synthBin(n: number = nextSeq()): string {
  const serial = n % 100_000;
  const q = Math.floor(n / 100_000);
  const head = `${pad(10 + (q % 80), 2)}${pad(1 + (Math.floor(q / 80) % 12), 2)}4`;
  for (const attr of [0, 1, 2, 3]) {
    const first11 = `${head}${attr}${pad(serial, 5)}`;
    const check = iinBinCheckDigit(first11);
    if (check !== null) return `${first11}${check}`;
  }
  throw new Error(`no valid БИН for sequence ${n}`);
}

/** A valid KZ IBAN for a bank code and a sequence number ('SYN' marks it synthetic). */
export function synthIban(bankCode3: string, n: number = nextSeq()): string {
  return makeKzIban(bankCode3, `SYN${pad(n % 10_000_000_000, 10)}`);
}

const SURNAMES = ['Абенов', 'Жумабаев', 'Сапаров', 'Ким', 'Омаров', 'Нуров', 'Тулегенов', 'Исаев', 'Калиев', 'Садыков', 'Беков'];
const GIVEN = ['Айдар', 'Ерлан', 'Марат', 'Дамир', 'Серик', 'Асхат', 'Тимур', 'Руслан', 'Нурлан', 'Алибек', 'Бауыржан', 'Данияр', 'Ержан'];
const PATRONYMIC = ['Серикович', 'Маратович', 'Ерланович', 'Асхатович', 'Нурланович', 'Тимурович', 'Бекович'];

/** A generated full name, deterministic for the sequence number. */
export function personName(n: number = nextSeq()): string {
  return `${SURNAMES[n % SURNAMES.length]} ${GIVEN[Math.floor(n / 11) % GIVEN.length]} ${PATRONYMIC[Math.floor(n / 143) % PATRONYMIC.length]} (синт. ${n})`;
}

/** Banks with their real БИК format; the bank code is the IBAN's 3 digits after the check digits. */
export const TEST_BANKS = [
  { bik: 'HSBKKZKX', name: 'АО «Тестовый Народный банк»', code: '601' },
  { bik: 'KCJBKZKX', name: 'АО «Тестовый банк ЦентрКредит»', code: '856' },
  { bik: 'CASPKZKA', name: 'АО «Тестовый Каспи Банк»', code: '722' },
] as const;

export interface MioSeed {
  mio_bin: string;
  name: string;
  oblast: string;
  bik: string;
  iban: string;
}

export async function seedMio(db: Db, over: Partial<MioSeed> = {}): Promise<MioSeed> {
  const n = nextSeq();
  const mio: MioSeed = {
    mio_bin: over.mio_bin ?? synthBin(n),
    name: over.name ?? `ГУ «Управление занятости и социальных программ (синт. ${n})»`,
    oblast: over.oblast ?? 'г. Астана',
    bik: over.bik ?? 'KKMFKZ2A',
    iban: over.iban ?? synthIban('070', n),
  };
  await db('mios').insert(mio);
  return mio;
}

export interface BankSeed {
  bik: string;
  name: string;
  fee_per_payment?: string | null;
  fee_percent?: string | null;
  fee_min?: string | null;
  fee_max?: string | null;
}

/** A bank (idempotent: an existing БИК is left as it is). */
export async function seedBank(db: Db, over: Partial<BankSeed> = {}): Promise<BankSeed> {
  const bank: BankSeed = { bik: over.bik ?? TEST_BANKS[0].bik, name: over.name ?? TEST_BANKS[0].name, ...over };
  await db('banks').insert(bank).onConflict('bik').ignore();
  return bank;
}

/** All of TEST_BANKS. */
export async function seedBanks(db: Db): Promise<void> {
  for (const b of TEST_BANKS) await seedBank(db, { bik: b.bik, name: b.name });
}

function bankCode(bik: string): string {
  return TEST_BANKS.find((b) => b.bik === bik)?.code ?? '999';
}

export type ProviderKind = 'assistant' | 'entrepreneur' | 'legal_entity';

export interface ProviderSeed {
  provider_id: string;
  kind: ProviderKind;
  name: string;
  registered_on: string;
  deregistered_on: string | null;
  deregistration_reason: string | null;
  /** The first bank-details version (changed_on = registered_on unless given). */
  bank_detail_id: number;
  bik: string;
  iban: string;
}

/** A provider with its first bank-details version. The bank is created if missing. */
export async function seedProvider(
  db: Db,
  over: Partial<Omit<ProviderSeed, 'bank_detail_id'>> & { details_on?: string } = {},
): Promise<ProviderSeed> {
  const n = nextSeq();
  const kind = over.kind ?? 'assistant';
  const bik = over.bik ?? TEST_BANKS[n % TEST_BANKS.length].bik;
  await seedBank(db, { bik, name: TEST_BANKS.find((b) => b.bik === bik)?.name ?? `АО «Тестовый банк ${bik}»` });
  const provider = {
    provider_id: over.provider_id ?? (kind === 'assistant' ? synthIin(n) : synthBin(n)),
    kind,
    name:
      over.name ??
      (kind === 'assistant' ? personName(n) : kind === 'entrepreneur' ? `ИП «${personName(n)}»` : `ОФ «Забота (синт. ${n})»`),
    registered_on: over.registered_on ?? '2024-01-01',
    deregistered_on: over.deregistered_on ?? null,
    deregistration_reason: over.deregistration_reason ?? null,
  };
  await db('providers').insert(provider);
  const iban = over.iban ?? synthIban(bankCode(bik), n);
  const [bd] = await db('bank_details')
    .insert({ provider_id: provider.provider_id, bik, iban, changed_on: over.details_on ?? provider.registered_on, source: 'providers' })
    .returning('id');
  return { ...provider, bank_detail_id: Number(bd.id), bik, iban };
}

/** A new bank-details version of a provider (as the `bank-details` import would add it). */
export async function seedBankDetails(
  db: Db,
  v: { provider_id: string; changed_on: string; bik?: string; iban?: string },
): Promise<{ id: number; bik: string; iban: string }> {
  const bik = v.bik ?? TEST_BANKS[1].bik;
  await seedBank(db, { bik, name: TEST_BANKS.find((b) => b.bik === bik)?.name ?? `АО «Тестовый банк ${bik}»` });
  const iban = v.iban ?? synthIban(bankCode(bik));
  const [row] = await db('bank_details')
    .insert({ provider_id: v.provider_id, bik, iban, changed_on: v.changed_on, source: 'bank-details' })
    .returning('id');
  return { id: Number(row.id), bik, iban };
}

export interface ActSeed {
  id: number;
  provider_id: string;
  act_no: string;
  order_no: string;
  decision_no: string;
  mio_bin: string;
  oblast: string;
  region: string;
  pwd_iin: string;
  pwd_name: string;
  assistant_iin: string;
  assistant_name: string;
  service_month: string;
  hours: string;
  claimed_amount: string | null;
  received_on: string;
  accepted_on: string;
}

export type ActInput = Partial<Omit<ActSeed, 'id'>> & {
  provider: Pick<ProviderSeed, 'provider_id' | 'kind' | 'name'>;
  mio: Pick<MioSeed, 'mio_bin' | 'oblast'>;
  service_month: string;
  hours: string;
};

/**
 * The act row for an input: the assistant is the provider itself for kind `assistant`, else a
 * generated person; the act arrives on the 5th of the month after the service month and is
 * accepted the same day unless the dates are given.
 */
export function actRow(a: ActInput): Omit<ActSeed, 'id'> {
  const n = nextSeq();
  const received = a.received_on ?? addDays(firstDayOfMonth(addMonths(a.service_month, 1)), 4);
  const isAssistant = a.provider.kind === 'assistant';
  return {
    provider_id: a.provider.provider_id,
    act_no: a.act_no ?? `АВР-${pad(n, 6)}`,
    order_no: a.order_no ?? `ЗК-${pad(n, 6)}`,
    decision_no: a.decision_no ?? `РШ-${pad(n, 6)}`,
    mio_bin: a.mio.mio_bin,
    oblast: a.oblast ?? a.mio.oblast,
    region: a.region ?? `район ${1 + (n % 5)}`,
    pwd_iin: a.pwd_iin ?? synthIin(n),
    pwd_name: a.pwd_name ?? personName(n + 7),
    assistant_iin: a.assistant_iin ?? (isAssistant ? a.provider.provider_id : synthIin(n + 500_000)),
    assistant_name: a.assistant_name ?? (isAssistant ? a.provider.name : personName(n + 13)),
    service_month: a.service_month,
    hours: a.hours,
    claimed_amount: a.claimed_amount ?? null,
    received_on: received,
    accepted_on: a.accepted_on ?? received,
  };
}

export async function seedAct(db: Db, a: ActInput): Promise<ActSeed> {
  const row = actRow(a);
  const [r] = await db('acts').insert(row).returning('id');
  return { id: Number(r.id), ...row };
}

/** Many acts in multi-row chunks. */
export async function seedActs(db: Db, acts: ActInput[], chunk = 1000): Promise<ActSeed[]> {
  const out: ActSeed[] = [];
  for (let i = 0; i < acts.length; i += chunk) {
    const rows = acts.slice(i, i + chunk).map(actRow);
    const ids: { id: number }[] = await db('acts').insert(rows).returning('id');
    rows.forEach((r, j) => out.push({ id: Number(ids[j].id), ...r }));
  }
  return out;
}

export interface ExemptionSeed {
  iin: string;
  opv_exempt?: boolean;
  osms_exempt?: boolean;
  so_exempt?: boolean;
  valid_from: string;
  valid_to?: string | null;
  reason?: string;
}

export async function seedExemption(db: Db, e: ExemptionSeed): Promise<void> {
  await db('exemptions').insert({
    iin: e.iin,
    opv_exempt: e.opv_exempt ?? false,
    osms_exempt: e.osms_exempt ?? false,
    so_exempt: e.so_exempt ?? false,
    valid_from: e.valid_from,
    valid_to: e.valid_to ?? null,
    reason: e.reason ?? 'сведения АИС «ООП» (синт.)',
  });
}
