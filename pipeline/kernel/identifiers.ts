// Kazakhstan identifiers (DOMAIN.md §7): ИИН/БИН, IBAN KZ, БИК; masking for logs.

const WEIGHTS_1 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const WEIGHTS_2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];

function weightedMod11(digits: string, weights: number[]): number {
  let s = 0;
  for (let i = 0; i < 11; i++) s += Number(digits[i]) * weights[i];
  return s % 11;
}

/**
 * The ИИН/БИН check digit for the first 11 digits: Σ dᵢ·i mod 11; if that is 10, the same with
 * weights 3,4,5,6,7,8,9,10,11,1,2. Null when it is 10 again (no valid number has these 11 digits)
 * or when the input is not 11 digits.
 */
export function iinBinCheckDigit(first11: string): number | null {
  if (!/^\d{11}$/.test(first11)) return null;
  const c1 = weightedMod11(first11, WEIGHTS_1);
  if (c1 !== 10) return c1;
  const c2 = weightedMod11(first11, WEIGHTS_2);
  return c2 === 10 ? null : c2;
}

/** 12 digits with a correct check digit. Only the checksum is verified, not the date or type digits. */
export function isValidIinBin(s: string): boolean {
  if (!/^\d{12}$/.test(s)) return false;
  return iinBinCheckDigit(s.slice(0, 11)) === Number(s[11]);
}

/** ISO 13616 / ISO 7064 mod 97-10 of an IBAN rearranged (first four characters moved to the end). */
function ibanMod97(rearranged: string): number {
  let r = 0;
  for (const ch of rearranged) {
    const v = parseInt(ch, 36); // '0'–'9' → 0–9, 'A'–'Z' → 10–35
    r = v < 10 ? (r * 10 + v) % 97 : (r * 100 + v) % 97;
  }
  return r;
}

const KZ_IBAN_RE = /^KZ\d{2}\d{3}[A-Z0-9]{13}$/;

/** 20 characters: KZ, 2 check digits, 3-digit bank code, 13 alphanumerics; mod 97 = 1. Uppercase, no spaces. */
export function isValidKzIban(s: string): boolean {
  if (!KZ_IBAN_RE.test(s)) return false;
  return ibanMod97(s.slice(4) + s.slice(0, 4)) === 1;
}

/** Builds a valid KZ IBAN (computes the check digits) from a 3-digit bank code and a 13-character account. */
export function makeKzIban(bankCode3: string, account13: string): string {
  if (!/^\d{3}$/.test(bankCode3)) throw new Error(`Код банка в IBAN: ожидается три цифры, получено «${bankCode3}»`);
  if (!/^[A-Z0-9]{13}$/.test(account13)) {
    throw new Error(`Номер счёта в IBAN: ожидается 13 латинских заглавных букв или цифр, получено «${account13}»`);
  }
  const bban = bankCode3 + account13;
  const check = 98 - ibanMod97(bban + 'KZ00');
  return `KZ${String(check).padStart(2, '0')}${bban}`;
}

/** БИК (BIC of a Kazakh bank): 8 characters, e.g. GCVPKZ2A. */
export function isValidBik(s: string): boolean {
  return /^[A-Z]{4}KZ[A-Z0-9]{2}$/.test(s);
}

/** For logs: keeps the first and last four characters, '850312300214' → '8503****0214'. */
export function maskIdentifier(s: string): string {
  if (s.length <= 8) return '*'.repeat(s.length);
  return s.slice(0, 4) + '*'.repeat(s.length - 8) + s.slice(-4);
}

/**
 * The date of birth an ИИН carries: digits 1–6 are YYMMDD, the 7th the century and sex (1–2:
 * 1800s, 3–4: 1900s, 5–6: 2000s). "YYYY-MM-DD", or null when the digits are not a date (a БИН,
 * or an ИИН of the old style with 0 in the 7th digit).
 */
export function birthDateOfIin(iin: string): string | null {
  const m = /^(\d{2})(\d{2})(\d{2})([1-6])/.exec(iin);
  if (!m) return null;
  const year = [1800, 1900, 2000][Math.floor((Number(m[4]) - 1) / 2)] + Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const d = new Date(Date.UTC(year, month - 1, day));
  if (month < 1 || month > 12 || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return `${year}-${m[2]}-${m[3]}`;
}
