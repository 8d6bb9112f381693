// Contributions registers (DOMAIN.md §2, 002 §4–5, §8, §10): per МИО and list month, what the
// МИО pays from the lists — ОПВ to ЕНПФ (КНП 010) and ВОСМС to ФСМС (КНП 122) inside the
// guaranteed sum, СО to ГФСС (КНП 012) over it. Each register lists the persons (the
// assistants) with their period and amount, and becomes a pain.001 payment order from the МИО's
// own account to the receiver. Read-only over the lists: nothing here writes to the database.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Db } from './kernel/db.ts';
import { assertMonth, type IsoMonth } from './kernel/dates.ts';
import { UsageError } from './kernel/errors.ts';
import { isValidBik, isValidIinBin, isValidKzIban } from './kernel/identifiers.ts';
import { buildPain001, type Pain001Transaction } from './iso20022/pain001-writer.ts';
import { formatAmount, sum } from './kernel/money.ts';
import { knpCode } from './kernel/reference.ts';

export const CONTRIBUTION_KINDS = ['opv', 'osms', 'so'] as const;
export type ContributionKind = (typeof CONTRIBUTION_KINDS)[number];

/** How each contribution is named on a payment order. */
export const CONTRIBUTION_LABEL: Record<ContributionKind, string> = { opv: 'ОПВ', osms: 'ВОСМС', so: 'СО' };

export const DEFAULT_RECEIVERS_FILE = fileURLToPath(new URL('../reference/contribution-receivers.json', import.meta.url));

const receiverSchema = z.strictObject({
  role: z.enum(CONTRIBUTION_KINDS),
  name: z.string().min(1).max(140),
  short_name: z.string().min(1),
  bin: z.string().refine(isValidIinBin, { message: 'некорректный БИН' }),
  bik: z.string().refine(isValidBik, { message: 'некорректный БИК' }),
  iban: z.string().refine(isValidKzIban, { message: 'некорректный IBAN' }),
  kbe: z.string().regex(/^\d{2}$/, { message: 'КБе: две цифры' }),
});

const receiversFileSchema = z
  .strictObject({
    synthetic: z.boolean(),
    note: z.string().optional(),
    receivers: z.array(receiverSchema),
  })
  .superRefine((f, ctx) => {
    for (const kind of CONTRIBUTION_KINDS) {
      const n = f.receivers.filter((r) => r.role === kind).length;
      if (n !== 1) ctx.addIssue({ code: 'custom', path: ['receivers'], message: `получатель «${kind}» должен быть указан ровно один раз (найдено ${n})` });
    }
  });

export type ContributionReceiver = z.infer<typeof receiverSchema>;

/** The receivers of the contributions (ЕНПФ, ФСМС, ГФСС) from the reference file. */
export function readContributionReceivers(file: string = DEFAULT_RECEIVERS_FILE): ContributionReceiver[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`Не удалось прочитать справочник получателей взносов ${file}: ${(e as Error).message}`);
  }
  const parsed = receiversFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(корень)'}: ${i.message}`).join('; ');
    throw new UsageError(`Некорректный справочник получателей взносов ${file}: ${issues}`);
  }
  return parsed.data.receivers;
}

export interface ContributionPerson {
  iin: string;
  name: string;
  /** The service month the contribution is for. */
  period: string;
  amount: string;
  /** List rows behind the amount (one per act). */
  rows: number;
}

export interface ContributionRegister {
  /** The list month. */
  month: string;
  kind: ContributionKind;
  knp: string;
  mio: { bin: string; name: string; bik: string; iban: string };
  receiver: ContributionReceiver;
  /** The date the list was built; the default execution date of the payment order. */
  formed_on: string;
  /** One per (assistant, service month) with a non-zero amount, by ИИН then period. */
  persons: ContributionPerson[];
  count: number;
  total: string;
}

/**
 * The registers of month M's lists: per МИО (by БИН) the ОПВ, ВОСМС and СО registers, each
 * only when it has a non-zero amount. A person with several acts in one service month (several
 * ЛСИ) appears once for that period with the sum of the rows.
 */
export async function contributionRegisters(
  db: Db,
  month: string,
  opts: { mio?: string; receivers?: ContributionReceiver[] } = {},
): Promise<ContributionRegister[]> {
  const m: IsoMonth = assertMonth(month);
  const receivers = opts.receivers ?? readContributionReceivers();
  const knp: Record<ContributionKind, string> = {
    opv: await knpCode(db, 'opv'),
    osms: await knpCode(db, 'osms'),
    so: await knpCode(db, 'so'),
  };
  const q = db('list_rows as lr')
    .join('lists as l', 'l.id', 'lr.list_id')
    .join('acts as a', 'a.id', 'lr.act_id')
    .join('mios as mi', 'mi.mio_bin', 'l.mio_bin')
    .where('l.month', m)
    .groupBy('l.mio_bin', 'mi.name', 'mi.bik', 'mi.iban', 'l.built_on', 'a.assistant_iin', 'lr.service_month')
    .select(
      'l.mio_bin',
      'mi.name as mio_name',
      'mi.bik as mio_bik',
      'mi.iban as mio_iban',
      'l.built_on',
      'a.assistant_iin',
      'lr.service_month',
      db.raw('(array_agg(a.assistant_name order by lr.row_no))[1] as name'),
      db.raw('sum(lr.opv)::text as opv'),
      db.raw('sum(lr.osms)::text as osms'),
      db.raw('sum(lr.so)::text as so'),
      db.raw('count(*) filter (where lr.opv > 0)::int as opv_rows'),
      db.raw('count(*) filter (where lr.osms > 0)::int as osms_rows'),
      db.raw('count(*) filter (where lr.so > 0)::int as so_rows'),
    )
    .orderBy(['l.mio_bin', 'a.assistant_iin', 'lr.service_month']);
  if (opts.mio) q.where('l.mio_bin', opts.mio);
  const rows = (await q) as Record<string, string | number>[];

  const byMio = new Map<string, Record<string, string | number>[]>();
  for (const r of rows) {
    const list = byMio.get(String(r.mio_bin)) ?? [];
    list.push(r);
    byMio.set(String(r.mio_bin), list);
  }
  const registers: ContributionRegister[] = [];
  for (const [mioBin, mioRows] of byMio) {
    const first = mioRows[0];
    for (const kind of CONTRIBUTION_KINDS) {
      const persons: ContributionPerson[] = mioRows
        .filter((r) => Number(r[`${kind}_rows`]) > 0)
        .map((r) => ({
          iin: String(r.assistant_iin),
          name: String(r.name),
          period: String(r.service_month),
          amount: formatAmount(String(r[kind])),
          rows: Number(r[`${kind}_rows`]),
        }));
      if (persons.length === 0) continue;
      const receiver = receivers.find((x) => x.role === kind)!;
      registers.push({
        month: m,
        kind,
        knp: knp[kind],
        mio: { bin: mioBin, name: String(first.mio_name), bik: String(first.mio_bik), iban: String(first.mio_iban) },
        receiver,
        formed_on: String(first.built_on),
        persons,
        count: persons.length,
        total: formatAmount(sum(persons.map((p) => p.amount))),
      });
    }
  }
  return registers;
}

/** The file name of a register's payment order: `opv_2025-03_<МИО БИН>.xml`. */
export function contributionFileName(register: ContributionRegister, ext = 'xml'): string {
  return `${register.kind}_${register.month}_${register.mio.bin}.${ext}`;
}

const KIND_CODE: Record<ContributionKind, string> = { opv: 'OPV', osms: 'OSMS', so: 'SO' };
const REMITTANCE_MAX = 140 - ' КНП 000 КБе 00'.length;

/**
 * The register as a pain.001.001.09 payment order from the МИО's account to the receiver: one
 * credit transfer per person and period, the person's ИИН, period and name in the payment
 * purpose. Execution date: the given one, else the date the list was built. Deterministic.
 */
export function contributionPain001(
  register: ContributionRegister,
  opts: { executionDate?: string; createdAt?: string } = {},
): string {
  const date = opts.executionDate ?? register.formed_on;
  const code = KIND_CODE[register.kind];
  const id = `${code}-${register.month}-${register.mio.bin}`;
  const transactions: Pain001Transaction[] = register.persons.map((p, i) => {
    const head = `${CONTRIBUTION_LABEL[register.kind]} за ${p.period} ИИН ${p.iin}`;
    const room = REMITTANCE_MAX - head.length - 1;
    const name = [...p.name].slice(0, Math.max(0, room)).join('');
    return {
      endToEndId: `${code}-${register.month.replace('-', '')}-${register.mio.bin}-${String(i + 1).padStart(5, '0')}`,
      amount: p.amount,
      creditor: {
        name: register.receiver.name,
        idNumber: register.receiver.bin,
        iban: register.receiver.iban,
        bik: register.receiver.bik,
        kbe: register.receiver.kbe,
      },
      remittance: name ? `${head} ${name}` : head,
      knp: register.knp,
    };
  });
  return buildPain001({
    messageId: id,
    createdAt: opts.createdAt ?? `${date}T09:00:00+05:00`,
    initiatingParty: { name: register.mio.name, bin: register.mio.bin },
    debtor: { name: register.mio.name, bin: register.mio.bin, iban: register.mio.iban, bik: register.mio.bik },
    paymentInfoId: id,
    requestedExecutionDate: date,
    purposeKnp: register.knp,
    transactions,
  });
}
