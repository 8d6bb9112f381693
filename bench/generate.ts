// The benchmark's data: N accepted acts over 20 МИО and 10 banks, written as the CSV files that
// `payouts import` takes (mios, banks, providers, acts). Everything is synthetic and deterministic
// for a given size: generated names, ИИН/БИН with valid check digits (iinBinCheckDigit), IBANs
// with valid mod-97 check digits (makeKzIban). Rows are streamed to disk in blocks, so a million
// acts take a few megabytes of memory.
//
// The cycle the benchmark runs on this data: acts for service months February and March 2025,
// received and accepted in early April; the list of April (built on the 14th) takes all of them.
// Caps cannot bind: an assistant has at most 4 acts in a month (4 × 248 h × 536.32 ≈ 532 000
// tenge of base against 50 / 10 / 7 МЗП).
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { iinBinCheckDigit, makeKzIban } from '../pipeline/kernel/identifiers.ts';

export interface GenerateOptions {
  acts: number;
  dir: string;
  /** Acts per provider (default 4): providers = ⌈acts / actsPerProvider⌉. */
  actsPerProvider?: number;
}

export interface GeneratedDataset {
  dir: string;
  files: { mios: string; banks: string; providers: string; acts: string };
  counts: { mios: number; banks: number; providers: number; acts: number };
  /** The list month and the dates the cycle runs on. */
  listMonth: string;
  listOn: string;
  demandOn: string;
  fundingOn: string;
  payOn: string;
  mioBins: string[];
}

export const MIO_COUNT = 20;
export const BANK_COUNT = 10;

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** A small fast PRNG (mulberry32): the same seed gives the same data set. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

// ---------------------------------------------------------------------------------------------
// Identifiers

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** YYMMDD of day `d` (0-based) after 1 January of `fromYear` (a calendar walk, UTC). */
function birthDate(fromYear: number, d: number): string {
  const dt = new Date(Date.UTC(fromYear, 0, 1) + d * 86_400_000);
  return `${pad(dt.getUTCFullYear() % 100, 2)}${pad(dt.getUTCMonth() + 1, 2)}${pad(dt.getUTCDate(), 2)}`;
}

/**
 * The n-th synthetic ИИН of a category: a birth date in the category's years, the century/sex
 * digit, a 4-digit serial, and the check digit. Distinct n give distinct ИИН (the date walks
 * 9 000 days, the serial counts the laps; the rare body without a check digit moves to the other
 * sex digit, then to a serial from a range no n of a data set this size reaches).
 */
export function syntheticIin(fromYear: number, n: number): string {
  const date = birthDate(fromYear, n % 9000);
  const serial = Math.floor(n / 9000);
  for (const [sex, offset] of [[3, 0], [4, 0], [3, 5000], [4, 5000]] as const) {
    const body = `${date}${sex}${pad(serial + offset, 4)}`;
    const check = iinBinCheckDigit(body);
    if (check !== null) return body + check;
  }
  throw new Error(`no valid ИИН for n=${n}`);
}

/**
 * The n-th synthetic БИН of a category: registration YYMM, type digit 4 (resident legal entity),
 * 0 (head office), a 5-digit serial, the check digit.
 */
export function syntheticBin(fromYear: number, n: number, typeDigit = 4): string {
  const months = n % 240;
  const yymm = `${pad((fromYear + Math.floor(months / 12)) % 100, 2)}${pad((months % 12) + 1, 2)}`;
  const serial = Math.floor(n / 240);
  for (const offset of [0, 50_000, 25_000, 75_000]) {
    const body = `${yymm}${typeDigit}0${pad(serial + offset, 5)}`;
    const check = iinBinCheckDigit(body);
    if (check !== null) return body + check;
  }
  throw new Error(`no valid БИН for n=${n}`);
}

// ---------------------------------------------------------------------------------------------
// Names

const MALE_NAMES = ['Арман', 'Ерлан', 'Нурлан', 'Асхат', 'Данияр', 'Ержан', 'Тимур', 'Руслан', 'Бауыржан', 'Ильяс', 'Айдос', 'Мирас', 'Сергей', 'Виктор', 'Олжас', 'Қайрат'];
const FEMALE_NAMES = ['Айгерим', 'Гульнар', 'Жанар', 'Динара', 'Асель', 'Мөлдір', 'Сауле', 'Марина', 'Алия', 'Назым', 'Жұлдыз', 'Ольга', 'Камила', 'Аружан', 'Гүлнұр', 'Әсел'];
const SURNAME_ROOTS = ['Ахметов', 'Сапаров', 'Нурланов', 'Жумабеков', 'Тулегенов', 'Исаев', 'Садыков', 'Беков', 'Ким', 'Оспанов', 'Қасымов', 'Мұқанов', 'Әлиев', 'Серіков', 'Иванов', 'Абенов'];
const FATHER_ROOTS = ['Ахмет', 'Нурлан', 'Болат', 'Серик', 'Марат', 'Ерик', 'Аслан', 'Олег', 'Қанат', 'Мұрат'];
const ORG_WORDS = ['Қамқор', 'Мейірім', 'Көмек', 'Шапағат', 'Жәрдем', 'Демеу', 'Рахым', 'Игілік'];

/** The n-th generated full name of a category (a hash of n picks the parts): the same n, the same name. */
function personName(category: number, n: number): string {
  let h = Math.imul((n + 1) ^ Math.imul(category, 0x9e3779b1), 0x85ebca6b) >>> 0;
  const next = (k: number) => {
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    return h % k;
  };
  const female = next(2) === 1;
  const root = SURNAME_ROOTS[next(SURNAME_ROOTS.length)];
  const surname = root === 'Ким' ? root : female ? `${root}а` : root;
  const given = (female ? FEMALE_NAMES : MALE_NAMES)[next(16)];
  const father = FATHER_ROOTS[next(FATHER_ROOTS.length)];
  return `${surname} ${given} ${father}${female ? 'овна' : 'ович'}`;
}

// ---------------------------------------------------------------------------------------------
// Reference rows

const BANKS: { bik: string; code: string; name: string; fees: [string, string, string, string] }[] = [
  { bik: 'KKMFKZ2A', code: '070', name: 'РГУ «Комитет казначейства (синтетический)»', fees: ['', '', '', ''] },
  { bik: 'HSBKKZKX', code: '601', name: 'АО «Банк Синтетика-1»', fees: ['50.00', '', '', ''] },
  { bik: 'CASPKZKA', code: '722', name: 'АО «Банк Синтетика-2»', fees: ['', '0.1000', '25.00', '300.00'] },
  { bik: 'KPSTKZKA', code: '563', name: 'АО «Почта Синтетика»', fees: ['20.00', '0.0500', '', '1000.00'] },
  { bik: 'KCJBKZKX', code: '551', name: 'АО «Банк Синтетика-3»', fees: ['35.00', '', '', ''] },
  { bik: 'HCSKKZKA', code: '998', name: 'АО «Банк Синтетика-4»', fees: ['', '0.0800', '20.00', ''] },
  { bik: 'IRTYKZKA', code: '965', name: 'АО «Банк Синтетика-5»', fees: ['40.00', '', '', ''] },
  { bik: 'ALFAKZKA', code: '826', name: 'АО «Банк Синтетика-6»', fees: ['', '0.1200', '', '500.00'] },
  { bik: 'BRKEKZKA', code: '914', name: 'АО «Банк Синтетика-7»', fees: ['30.00', '0.0200', '', ''] },
  { bik: 'KINCKZKA', code: '856', name: 'АО «Банк Синтетика-8»', fees: ['45.00', '', '', ''] },
];

const OBLASTS = [
  'г. Астана', 'г. Алматы', 'г. Шымкент', 'Акмолинская область', 'Актюбинская область', 'Алматинская область',
  'Атырауская область', 'Восточно-Казахстанская область', 'Жамбылская область', 'Западно-Казахстанская область',
  'Карагандинская область', 'Костанайская область', 'Кызылординская область', 'Мангистауская область',
  'Павлодарская область', 'Северо-Казахстанская область', 'Туркестанская область', 'область Абай',
  'область Жетісу', 'область Ұлытау',
];

/** Each МИО's districts (the Регион column). */
function regionsOf(m: number): string[] {
  return Array.from({ length: 5 }, (_, i) => `район ${m + 1}-${i + 1}`);
}

// ---------------------------------------------------------------------------------------------
// Writing

/** A CSV file written in blocks of lines, with backpressure. */
class CsvOut {
  private readonly out: WriteStream;
  private buffer: string[] = [];
  private size = 0;

  constructor(file: string, header: string[]) {
    this.out = createWriteStream(file, { encoding: 'utf8' });
    this.buffer.push(header.join(','));
  }

  async line(cells: string[]): Promise<void> {
    this.buffer.push(cells.join(','));
    if (++this.size >= 2000) await this.flush();
  }

  private async flush(): Promise<void> {
    const text = `${this.buffer.join('\n')}\n`;
    this.buffer = [];
    this.size = 0;
    if (!this.out.write(text)) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    if (this.buffer.length) await this.flush();
    this.out.end();
    await once(this.out, 'finish');
  }
}

/** Writes mios.csv, banks.csv, providers.csv and acts.csv into `dir`. */
export async function generateDataset(opts: GenerateOptions): Promise<GeneratedDataset> {
  const acts = opts.acts;
  if (!Number.isSafeInteger(acts) || acts < 1) throw new Error(`--acts: a positive integer expected, got ${acts}`);
  const perProvider = opts.actsPerProvider ?? 4;
  const providers = Math.ceil(acts / perProvider);
  const rand = prng(20250414);
  const files = {
    mios: path.join(opts.dir, 'mios.csv'),
    banks: path.join(opts.dir, 'banks.csv'),
    providers: path.join(opts.dir, 'providers.csv'),
    acts: path.join(opts.dir, 'acts.csv'),
  };

  const banks = new CsvOut(files.banks, ['bik', 'name', 'fee_per_payment', 'fee_percent', 'fee_min', 'fee_max']);
  for (const b of BANKS) await banks.line([b.bik, b.name, ...b.fees]);
  await banks.close();

  const mioBins: string[] = [];
  const mios = new CsvOut(files.mios, ['mio_bin', 'name', 'oblast', 'bik', 'iban']);
  for (let m = 0; m < MIO_COUNT; m++) {
    const bin = syntheticBin(1995, m, 4);
    mioBins.push(bin);
    const oblast = OBLASTS[m];
    await mios.line([bin, `ГУ «Управление занятости и социальных программ (${oblast})»`, oblast, 'KKMFKZ2A', makeKzIban('070', `105KSN${pad(m + 1, 7)}`)]);
  }
  await mios.close();

  // Providers: 70 % assistants (the assistant is paid himself), 20 % ИП, 10 % НПО.
  // Each provider works for one МИО and banks with one of the 10 banks.
  const kindOf = (p: number) => (p % 10 < 7 ? 'assistant' : p % 10 < 9 ? 'entrepreneur' : 'legal_entity');
  const idOf = (p: number) => (kindOf(p) === 'legal_entity' ? syntheticBin(2005, p, 4) : syntheticIin(1975, p));
  const out = new CsvOut(files.providers, ['provider_id', 'kind', 'name', 'bik', 'iban', 'registered_on', 'deregistered_on', 'deregistration_reason']);
  for (let p = 0; p < providers; p++) {
    const kind = kindOf(p);
    const bank = BANKS[1 + (p % (BANKS.length - 1))];
    const name = kind === 'legal_entity' ? `ОФ «${ORG_WORDS[p % ORG_WORDS.length]}-${p}»` : kind === 'entrepreneur' ? `ИП «${personName(1, p)}»` : personName(1, p);
    const registered = `2024-${pad(1 + (p % 12), 2)}-${pad(1 + (p % 28), 2)}`;
    await out.line([idOf(p), kind, name, bank.bik, makeKzIban(bank.code, `B${pad(p, 12)}`), registered, '', '']);
  }
  await out.close();

  // Acts: provider p has acts p*perProvider … ; an assistant-provider serves up to 4 ЛСИ (one act
  // each per month), an ИП / НПО sends other assistants. Service months February and March 2025.
  const actsOut = new CsvOut(files.acts, [
    'act_no', 'order_no', 'decision_no', 'provider_id', 'mio_bin', 'oblast', 'region', 'pwd_iin', 'pwd_name',
    'assistant_iin', 'assistant_name', 'service_month', 'hours', 'claimed_amount', 'received_on', 'accepted_on',
  ]);
  for (let i = 0; i < acts; i++) {
    const p = Math.floor(i / perProvider);
    const kind = kindOf(p);
    const providerId = idOf(p);
    const m = p % MIO_COUNT;
    const serviceMonth = i % 10 === 9 ? '2025-02' : '2025-03';
    const maxHours = serviceMonth === '2025-02' ? 224 : 248;
    const wholeHours = 8 + Math.floor(rand() * (maxHours - 8));
    const hours = rand() < 0.2 ? `${wholeHours}.5` : String(wholeHours);
    // 10 % claim less than the guaranteed sum (hours × 536.32): the claim is what is paid.
    const claimed = rand() < 0.1 ? `${Math.max(1, wholeHours - 5) * 500}.00` : '';
    const receivedDay = 1 + Math.floor(rand() * 9);
    const acceptedDay = receivedDay + 1 + Math.floor(rand() * 3);
    await actsOut.line([
      `АВР-2025-${pad(i + 1, 7)}`,
      `З-2024-${pad(p + 1, 7)}`,
      `Р-${pad(p + 1, 7)}`,
      providerId,
      mioBins[m],
      OBLASTS[m],
      regionsOf(m)[i % 5],
      syntheticIin(1950, i),
      personName(2, i),
      kind === 'assistant' ? providerId : syntheticIin(1985, i),
      kind === 'assistant' ? personName(1, p) : personName(3, i),
      serviceMonth,
      hours,
      claimed,
      `2025-04-${pad(receivedDay, 2)}`,
      `2025-04-${pad(acceptedDay, 2)}`,
    ]);
  }
  await actsOut.close();

  return {
    dir: opts.dir,
    files,
    counts: { mios: MIO_COUNT, banks: BANKS.length, providers, acts },
    listMonth: '2025-04',
    listOn: '2025-04-14',
    demandOn: '2025-04-15',
    fundingOn: '2025-04-16',
    payOn: '2025-04-17',
    mioBins,
  };
}

/** CLI: `node --import tsx bench/generate.ts --acts N --dir DIR` writes the CSV files only. */
if (process.argv[1] && import.meta.filename === path.resolve(process.argv[1])) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const dir = arg('--dir');
  if (!dir) {
    process.stderr.write('usage: node --import tsx bench/generate.ts --acts N --dir DIR\n');
    process.exit(2);
  }
  const result = await generateDataset({ acts: Number(arg('--acts') ?? 100_000), dir });
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
