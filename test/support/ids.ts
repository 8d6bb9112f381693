// Synthetic identifiers for tests and fixtures: ИИН/БИН with a valid check digit
// (iinBinCheckDigit), KZ IBANs with valid mod-97 digits (makeKzIban), generated names, so that no
// real person appears. Values are deterministic for a given number; `nextSeq()` hands out fresh
// ones (per test process).
import { iinBinCheckDigit, makeKzIban } from '../../pipeline/kernel/identifiers.ts';

let seq = 0;
/** A fresh sequence number for this test process. */
export function nextSeq(): number {
  return ++seq;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** The first candidate (11 digits) that admits a check digit, completed to 12. */
function firstValid(candidates: string[], what: string): string {
  for (const first11 of candidates) {
    const check = iinBinCheckDigit(first11);
    if (check !== null) return `${first11}${check}`;
  }
  throw new Error(`no valid ИИН/БИН for ${what}`);
}

/**
 * The ИИН/БИН that starts with `prefix`: 11 digits get their check digit (an error when they
 * admit none); 10 digits get the first 11th digit that admits one. For a number with a given
 * shape: an ИИН's birth date, a БИН's type digit (4–6 in the 5th place), a leading zero.
 */
export function validId(prefix: string): string {
  if (/^\d{11}$/.test(prefix)) return firstValid([prefix], prefix);
  if (/^\d{10}$/.test(prefix)) return firstValid([...'0123456789'].map((d) => `${prefix}${d}`), `${prefix}…`);
  throw new Error(`validId: 10 or 11 digits expected, got ${prefix}`);
}

/**
 * A synthetic ИИН: birth date YYMMDD, a century/sex digit, a 4-digit serial, the check digit.
 * Distinct numbers give distinct ИИН (up to 168 million).
 */
export function synthIin(n: number = nextSeq()): string {
  const serial = n % 10_000;
  const q = Math.floor(n / 10_000);
  const head = `${pad(50 + (Math.floor(q / 336) % 50), 2)}${pad(1 + (Math.floor(q / 28) % 12), 2)}${pad(1 + (q % 28), 2)}`;
  return firstValid(
    [3, 4, 5, 6].map((centurySex) => `${head}${centurySex}${pad(serial, 4)}`),
    `ИИН number ${n}`,
  );
}

/** A synthetic БИН: registration YYMM, type digit 4 (resident legal entity), a 6-digit serial, the check digit. */
export function synthBin(n: number = nextSeq()): string {
  const serial = n % 100_000;
  const q = Math.floor(n / 100_000);
  const head = `${pad(10 + (q % 80), 2)}${pad(1 + (Math.floor(q / 80) % 12), 2)}4`;
  return firstValid(
    [0, 1, 2, 3].map((attr) => `${head}${attr}${pad(serial, 5)}`),
    `БИН number ${n}`,
  );
}

/** A valid KZ IBAN for a bank code and a number ('SYN' marks it synthetic). */
export function synthIban(bankCode3: string, n: number = nextSeq()): string {
  return makeKzIban(bankCode3, `SYN${pad(n % 10_000_000_000, 10)}`);
}

const SURNAMES = ['Абенов', 'Жумабаев', 'Сапаров', 'Ким', 'Омаров', 'Нуров', 'Тулегенов', 'Исаев', 'Калиев', 'Садыков', 'Беков'];
const GIVEN = ['Айдар', 'Ерлан', 'Марат', 'Дамир', 'Серик', 'Асхат', 'Тимур', 'Руслан', 'Нурлан', 'Алибек', 'Бауыржан', 'Данияр', 'Ержан'];
const PATRONYMIC = ['Серикович', 'Маратович', 'Ерланович', 'Асхатович', 'Нурланович', 'Тимурович', 'Бекович'];

/** A generated full name, deterministic for the number. */
export function personName(n: number = nextSeq()): string {
  return `${SURNAMES[n % SURNAMES.length]} ${GIVEN[Math.floor(n / 11) % GIVEN.length]} ${PATRONYMIC[Math.floor(n / 143) % PATRONYMIC.length]} (синт. ${n})`;
}
