// SWIFT MT940 Customer Statement Message: the statement as client-bank systems export it,
// with or without the SWIFT blocks ({1:…}{2:…}{4: … -}). One statement per file. Text in UTF-8,
// else Windows-1251 (Kazakh banks write Cyrillic in :86:, outside the SWIFT character set).
//
// Read:
//   :20:   the message reference (kept, not interpreted)
//   :25:   the account (an IBAN; "BIC/IBAN" → the IBAN)            block 2 (output) → the bank's BIC
//   :28C:  the statement number / sequence ("00049/001"): the statement number
//   :60F:/:60M:  opening balance: C|D, YYMMDD, currency, amount ("1234,56"); its date starts the
//          period (or the day after it, where the bank's mapping says period_start
//          "day_after_opening_date": banks that date the opening balance with the previous day)
//   :61:   an entry: value date YYMMDD, entry date MMDD (the booking date; else the value date),
//          C|D|RC|RD (RC/RD a reversal), funds code, amount, type code (N + 3, e.g. NTRF, NCHG),
//          the account owner's reference (NONREF = none), //the bank's reference, details
//   :86:   the entry's information: lines joined without separators; "/CODE/value" pairs
//          (codes of 2–4 capital Latin letters) become fields "86.CODE"; the whole text is "86"
//   :62F:/:62M:  closing balance; its date ends the period and is the statement's date
// Entry fields: "61.value_date", "61.entry_date", "61.mark", "61.amount", "61.type",
// "61.customer_ref", "61.bank_ref", "61.details", "86", "86.<CODE>".
//
// Written (writeMt940): no blocks, CRLF, UTF-8. :61: carries the message id of a debit (or the
// instruction id of a credit) as the owner's reference (≤ 16 characters) and the bank reference;
// :86: the codes of the default mapping: EREF end-to-end reference, DOCN/DOCD document number and
// date, IBAN/NAME/CPID the counterparty's account, name and ИИН/БИН, RTRN/RTXT a return's reason
// code and text, REMI the purpose. At most 6 lines of 65 characters.
import { isValidDate } from '../kernel/dates.ts';
import { formatAmount, money } from '../kernel/money.ts';
import { fitText, NAME_MAX } from '../iso20022/xml.ts';
import { StatementFormatError, checkForWriting, type RawEntry, type RawStatement, type Statement, type StatementEntry } from './model.ts';

const TAG_RE = /^:(\d{2}[A-Z]?):(.*)$/;

/** Whether the text is an MT940 (its mandatory fields are there): detection by content. */
export function looksLikeMt940(text: string): boolean {
  return /(^|\n|\{4:\s*\n?):20:/.test(text) && /(^|\n):25:/.test(text) && /(^|\n):6[02][FM]:/.test(text);
}

function fail(what: string): never {
  throw new StatementFormatError(`MT940: ${what}`);
}

/** YYMMDD → YYYY-MM-DD (years 2000–2099). */
function swiftDate(yymmdd: string, what: string): string {
  const d = `20${yymmdd.slice(0, 2)}-${yymmdd.slice(2, 4)}-${yymmdd.slice(4, 6)}`;
  if (!/^\d{6}$/.test(yymmdd) || !isValidDate(d)) fail(`${what}: некорректная дата «${yymmdd}»`);
  return d;
}

/** "1234,5" → "1234.50". */
function swiftAmount(text: string, what: string): string {
  const m = /^(\d{1,15}),(\d{0,2})$/.exec(text);
  if (!m || m[0].length > 15) fail(`${what}: некорректная сумма «${text}» (ожидается, например, 1234,56)`);
  return formatAmount(`${m[1]}.${m[2] || '0'}`);
}

function balanceField(tag: string, value: string): { amount: string; date: string; currency: string } {
  const m = /^([CD])(\d{6})([A-Z]{3})([\d,]+)$/.exec(value.trim());
  if (!m) fail(`поле :${tag}: «${value.trim()}» — ожидается C или D, дата ГГММДД, валюта и сумма`);
  const amount = swiftAmount(m[4], `поле :${tag}:`);
  return { amount: m[1] === 'D' && amount !== '0.00' ? `-${amount}` : amount, date: swiftDate(m[2], `поле :${tag}:`), currency: m[3] };
}

/** The :86: codes the writer uses (the default mapping reads them). */
export const MT940_WRITTEN_CODES = ['EREF', 'DOCN', 'DOCD', 'IBAN', 'NAME', 'CPID', 'RTRN', 'RTXT', 'REMI'] as const;

/**
 * The "/CODE/value" pairs of an :86: text, for the known codes only (a value may hold other
 * capital words between slashes, e.g. a reason code "CUST").
 */
export function structuredInfo(text: string, codes: Iterable<string>): Record<string, string> {
  const out: Record<string, string> = {};
  const list = [...new Set(codes)].filter((c) => /^[A-Z]{2,4}$/.test(c));
  if (list.length === 0 || !text.startsWith('/')) return out;
  const alt = list.join('|');
  const re = new RegExp(`\\/(${alt})\\/([\\s\\S]*?)(?=\\/(?:${alt})\\/|$)`, 'g');
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const value = m[2].replace(/\/$/, '').trim();
    if (!(m[1] in out)) out[m[1]] = value;
  }
  return out;
}

interface Field {
  tag: string;
  value: string;
  line: number;
}

function fieldsOf(text: string): { fields: Field[]; servicerBic: string } {
  let body = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  let servicerBic = '';
  if (body.trimStart().startsWith('{1:')) {
    // An output message: block 2 is O + type + time + the sender's input reference (date, its
    // 12-character address: the bank's BIC first), …
    const block2 = /\{2:O940\d{4}\d{6}([A-Z0-9]{8})/.exec(body);
    if (block2) servicerBic = block2[1];
    const block4 = /\{4:\n?([\s\S]*?)\n-\}/.exec(body);
    if (!block4) fail('нет блока {4: … -} с полями выписки');
    body = block4[1];
  }
  const fields: Field[] = [];
  body.split('\n').forEach((line, i) => {
    const m = TAG_RE.exec(line);
    if (m) fields.push({ tag: m[1], value: m[2], line: i + 1 });
    else if (line.trim() === '' || line.trim() === '-') return;
    else if (fields.length === 0) fail(`строка ${i + 1}: текст до первого поля «${line.slice(0, 40)}»`);
    else fields[fields.length - 1].value += `\n${line}`;
  });
  return { fields, servicerBic };
}

const LINE61_RE = /^(\d{6})(\d{4})?(R?[CD])([A-Z])?(\d[\d,]*)([SNF][A-Z0-9]{3})([^\n]*?)(?:\/\/([^\n]*))?(?:\n([\s\S]*))?$/;

/**
 * Reads an MT940 (see the file header); `codes` are the :86: codes to split out (those the
 * mappings read). Throws StatementFormatError (exit 2).
 */
export function parseMt940(text: string, codes: Iterable<string> = MT940_WRITTEN_CODES): RawStatement {
  const { fields, servicerBic } = fieldsOf(text);
  const one = (tags: string[], what: string): Field => {
    const found = fields.filter((f) => tags.includes(f.tag));
    if (found.length === 0) fail(`нет поля ${tags.map((t) => `:${t}:`).join(' или ')} (${what})`);
    if (found.length > 1) fail(`поле ${tags.map((t) => `:${t}:`).join('/')} встречается ${found.length} раз: ожидается одна выписка в файле`);
    return found[0];
  };
  one(['20'], 'референс сообщения');
  const account = one(['25'], 'счёт').value.trim();
  const iban = account.includes('/') ? account.slice(account.lastIndexOf('/') + 1) : account;
  const number = fields.find((f) => f.tag === '28C' || f.tag === '28')?.value.trim() ?? '';
  const opening = balanceField('60F', one(['60F', '60M'], 'входящий остаток').value);
  const closing = balanceField('62F', one(['62F', '62M'], 'исходящий остаток').value);
  if (opening.currency !== closing.currency) fail(`валюта входящего остатка ${opening.currency} и исходящего ${closing.currency} различаются`);

  const entries: RawEntry[] = [];
  fields.forEach((f, i) => {
    if (f.tag !== '61') return;
    const seq = entries.length + 1;
    const what = `операция ${seq} (поле :61:, строка ${f.line})`;
    const m = LINE61_RE.exec(f.value);
    if (!m) fail(`${what}: не разобрать «${f.value.split('\n')[0]}»`);
    const valueDate = swiftDate(m[1], what);
    let bookingDate = valueDate;
    if (m[2]) {
      // MMDD in the value date's year, or the next/previous one across the new year.
      let year = Number(valueDate.slice(0, 4));
      const month = Number(m[2].slice(0, 2));
      const valueMonth = Number(valueDate.slice(5, 7));
      if (month === 1 && valueMonth === 12) year++;
      if (month === 12 && valueMonth === 1) year--;
      bookingDate = `${year}-${m[2].slice(0, 2)}-${m[2].slice(2, 4)}`;
      if (!isValidDate(bookingDate)) fail(`${what}: некорректная дата проводки «${m[2]}»`);
    }
    const amount = swiftAmount(m[5], what);
    if (money(amount).lte(0)) fail(`${what}: сумма должна быть больше нуля`);
    const customerRef = m[7].trim();
    const info = fields[i + 1]?.tag === '86' ? fields[i + 1].value.replace(/\n/g, '') : '';
    const raw: Record<string, string> = {
      '61.value_date': valueDate,
      '61.mark': m[3],
      '61.amount': amount,
      '61.type': m[6],
      '61.customer_ref': customerRef === 'NONREF' ? '' : customerRef,
    };
    if (m[2]) raw['61.entry_date'] = bookingDate;
    if (m[8]) raw['61.bank_ref'] = m[8].trim();
    if (m[9]) raw['61.details'] = m[9].trim();
    if (info !== '') {
      raw['86'] = info;
      for (const [code, value] of Object.entries(structuredInfo(info, codes))) raw[`86.${code}`] = value;
    }
    entries.push({
      seq,
      direction: m[3].endsWith('C') ? 'credit' : 'debit',
      amount,
      bookingDate,
      valueDate,
      reversal: m[3].startsWith('R'),
      transactions: 1,
      fields: raw,
    });
  });

  return {
    format: 'mt940',
    statementNo: number,
    createdAt: '',
    account: { iban, currency: closing.currency },
    servicerBic,
    from: opening.date,
    periodFromOpening: true,
    to: closing.date,
    statementDate: closing.date,
    opening: opening.amount,
    closing: closing.amount,
    entries,
    skipped: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Writing

const yymmdd = (date: string) => `${date.slice(2, 4)}${date.slice(5, 7)}${date.slice(8, 10)}`;
const swift = (amount: string) => formatAmount(amount).replace('.', ',');

function balanceLine(tag: string, amount: string, date: string, currency: string): string {
  const v = money(amount);
  return `:${tag}:${v.lt(0) ? 'D' : 'C'}${yymmdd(date)}${currency}${swift(formatAmount(v.abs()))}`;
}

function reference(text: string, what: string): string {
  if ([...text].length > 16 || text.includes('//') || text.startsWith('/') || text.endsWith('/') || /[\r\n]/.test(text)) {
    throw new Error(`MT940 writer: ${what} «${text}» — не более 16 символов, без «//» и без «/» в начале и конце`);
  }
  return text;
}

/** The :86: text of an entry: "/CODE/value" for each attribute the default mapping reads there. */
function info(e: StatementEntry): string {
  const a = e.attributes;
  const pairs: [string, string][] = [
    ['EREF', a.endToEndId],
    ['DOCN', a.documentNumber],
    ['DOCD', a.documentDate],
    ['IBAN', a.counterpartyIban],
    // A name is fitted as in ISO 20022 (140 characters), a «/» at its end dropped (it would end the field).
    ['NAME', fitText(a.counterpartyName, NAME_MAX).replace(/\/+$/, '')],
    ['CPID', a.counterpartyId],
    ['RTRN', a.reasonCode],
    ['RTXT', a.reasonText],
    ['REMI', a.purpose],
  ];
  const known = new RegExp(`\\/(${MT940_WRITTEN_CODES.join('|')})\\/`);
  for (const [code, value] of pairs) {
    if (known.test(`/${value}/`) || /[\r\n]/.test(value) || value.endsWith('/')) {
      throw new Error(`MT940 writer: операция ${e.seq}, /${code}/: значение «${value}» нельзя записать в :86: (код поля между «/», «/» в конце или перевод строки)`);
    }
  }
  const text = pairs.filter(([, v]) => v !== '').map(([code, v]) => `/${code}/${v}`).join('');
  // :86: holds 6 lines of 65 characters: a purpose that would not fit is cut (it comes last).
  const over = [...text].length - INFO_MAX;
  if (over <= 0 || a.purpose === '') return text;
  const purpose = fitText(a.purpose, Math.max(0, [...a.purpose].length - over)).replace(/\/+$/, '');
  return purpose === '' ? text.slice(0, text.lastIndexOf('/REMI/')) : `${text.slice(0, text.lastIndexOf('/REMI/'))}/REMI/${purpose}`;
}

/** The room of :86:, 6 lines of 65 characters. */
const INFO_MAX = 6 * 65;

/** Cuts a text into lines of at most `max` characters. */
function lines(text: string, max: number): string[] {
  const chars = [...text];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += max) out.push(chars.slice(i, i + max).join(''));
  return out;
}

/** An MT940 of one statement (see the file header). Same input → the same text. */
export function writeMt940(s: Statement): string {
  checkForWriting(s);
  if (!/^\d{1,5}(\/\d{1,5})?$/.test(s.statementNo)) {
    throw new Error(`MT940 writer: номер выписки «${s.statementNo}» — ожидается 5n[/5n], например 00049/001`);
  }
  const out = [
    `:20:${reference(`STMT${s.statementDate.replace(/-/g, '')}`, 'референс сообщения')}`,
    `:25:${s.account.iban}`,
    `:28C:${s.statementNo}`,
    balanceLine('60F', s.opening, s.from, s.account.currency),
  ];
  for (const e of s.entries) {
    const a = e.attributes;
    const mark = `${e.reversal ? 'R' : ''}${e.direction === 'credit' ? 'C' : 'D'}`;
    const type = /^[SNF][A-Z0-9]{3}$/.test(a.bankTxCode) ? a.bankTxCode : 'NTRF';
    const own = e.direction === 'debit' ? a.messageId : a.instructionId;
    const ref = reference(own === '' ? 'NONREF' : own, `операция ${e.seq}: референс`);
    const bank = a.bankReference === '' ? '' : `//${reference(a.bankReference, `операция ${e.seq}: референс банка`)}`;
    const value = e.valueDate || e.bookingDate;
    out.push(`:61:${yymmdd(value)}${e.bookingDate.slice(5, 7)}${e.bookingDate.slice(8, 10)}${mark}${swift(e.amount)}${type}${ref}${bank}`);
    const text = info(e);
    if (text !== '') {
      const parts = lines(text, 65);
      if (parts.length > 6) throw new Error(`MT940 writer: операция ${e.seq}: поле :86: длиннее 6 строк по 65 символов`);
      out.push(`:86:${parts[0]}`, ...parts.slice(1));
    }
  }
  out.push(balanceLine('62F', s.closing, s.statementDate, s.account.currency));
  return `${out.join('\r\n')}\r\n`;
}
