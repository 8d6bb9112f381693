// The world builder: master data and acts inserted directly, without the imports — МИО, banks,
// providers with their bank-details versions, acts, exemptions. Every identifier is synthetic
// with a valid checksum (test/support/ids.ts) and every name is generated, so no real person
// appears. Values are deterministic for a given sequence number. The worlds built on it through
// the real steps: two-month-world.ts (returns and closing), one-month-world.ts (the queue).
import type { Db } from '../../pipeline/kernel/db.ts';
import { addDays, addMonths, firstDayOfMonth } from '../../pipeline/kernel/dates.ts';
import { nextSeq, personName, synthBin, synthIban, synthIin } from './ids.ts';

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** Banks with their real БИК format; the code is the IBAN's 3 digits after the check digits. */
export const BANKS = {
  halyk: { bik: 'HSBKKZKX', name: 'АО «Тестовый Народный банк»', code: '601' },
  centerCredit: { bik: 'KCJBKZKX', name: 'АО «Тестовый банк ЦентрКредит»', code: '856' },
  kaspi: { bik: 'CASPKZKA', name: 'АО «Тестовый Каспи Банк»', code: '722' },
} as const;

/** The banks seedProvider spreads providers over, in turn. */
export const TEST_BANKS = [BANKS.halyk, BANKS.centerCredit, BANKS.kaspi] as const;

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

/** The bank of a БИК, one of TEST_BANKS or else a generated one; created if missing. */
function seedBankOf(db: Db, bik: string): Promise<BankSeed> {
  return seedBank(db, { bik, name: TEST_BANKS.find((b) => b.bik === bik)?.name ?? `АО «Тестовый банк ${bik}»` });
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
  await seedBankOf(db, bik);
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
  await seedBankOf(db, bik);
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
function actRow(a: ActInput): Omit<ActSeed, 'id'> {
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
