// 1CClientBankExchange: the text export of client-bank systems ("Клиент-банк" → 1С), lines
// "Ключ=Значение", Windows-1251 (Кодировка=Windows; DOS = cp866 and UTF-8 are read too).
// One account section per file.
//
// Read:
//   line 1            1CClientBankExchange
//   header            Кодировка (the encoding), ДатаСоздания and ВремяСоздания (kept, not part
//                     of the identity); other header keys are ignored
//   СекцияРасчСчет … КонецРасчСчет: ДатаНачала, ДатаКонца (the period, ДД.ММ.ГГГГ), РасчСчет
//                     (or ИИК; the account), НачальныйОстаток, ВсегоПоступило, ВсегоСписано,
//                     КонечныйОстаток (amounts with a dot or a comma; the totals are checked)
//   СекцияДокумент=<вид> … КонецДокумента: one entry each. Its direction comes from the account:
//                     ПлательщикСчет or ПлательщикИИК equal to the statement's account → a debit,
//                     booked on ДатаСписано; ПолучательСчет or ПолучательИИК → a credit, booked on
//                     ДатаПоступило (else on Дата). Сумма is the amount. Every key of the document
//                     is a field under its own name (Номер, Дата, ПлательщикБИН, ПлательщикИНН,
//                     Плательщик, Плательщик1, НазначениеПлатежа, ВидОплаты, КНП, …); the
//                     mapping says which carries what. The format has no statement number.
//   КонецФайла
//
// Written (writeOnec), the Kazakh variant: Номер (a document number, else the instruction id),
// Дата, Сумма, ПлательщикИИК / Плательщик / ПлательщикБИН, ПолучательИИК / Получатель /
// ПолучательБИН, ДатаСписано or ДатаПоступило, ВидОплаты (the bank's code), НазначениеПлатежа —
// the purpose, then "Реф. <end-to-end reference>" and "Код причины: <code> <text>" of a return
// (the format has no fields for them; the default mapping reads them from the purpose). Text
// the encoding cannot carry: the Kazakh letters become their nearest Russian ones (Ә→А, Ғ→Г,
// Қ→К, Ң→Н, Ө→О, Ұ→У, Ү→У, Һ→Х, і→i), anything else is an error.
import { isValidDate } from '../kernel/dates.ts';
import { formatAmount, money } from '../kernel/money.ts';
import { StatementFormatError, checkForWriting, entriesMovement, signedAmount, type RawEntry, type RawStatement, type Statement } from './model.ts';

export const ONEC_SIGNATURE = '1CClientBankExchange';

/** Whether the bytes are a 1CClientBankExchange file (its first line is ASCII): detection by content. */
export function looksLikeOnec(bytes: Uint8Array): boolean {
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  return Buffer.from(bytes.subarray(start, start + ONEC_SIGNATURE.length)).toString('latin1') === ONEC_SIGNATURE;
}

function fail(what: string): never {
  throw new StatementFormatError(`1CClientBankExchange: ${what}`);
}

const ENCODINGS: { label: string; decoder: string; names: string[] }[] = [
  { label: 'Windows', decoder: 'windows-1251', names: ['windows'] },
  { label: 'DOS', decoder: 'ibm866', names: ['dos'] },
  { label: 'UTF-8', decoder: 'utf-8', names: ['utf-8', 'utf8'] },
];

/** Decodes the file in the encoding its own Кодировка line names. */
export function decodeOnec(bytes: Uint8Array): string {
  for (const enc of ENCODINGS) {
    let text: string;
    try {
      text = new TextDecoder(enc.decoder, { fatal: true }).decode(bytes);
    } catch {
      continue;
    }
    const m = /^Кодировка=(.*)$/m.exec(text.replace(/\r/g, ''));
    if (m && enc.names.includes(m[1].trim().toLowerCase())) return text.replace(/^\uFEFF/, '');
  }
  fail('не удалось определить кодировку: нет строки «Кодировка=Windows» (или DOS, UTF-8) в её собственной кодировке');
}

/** ДД.ММ.ГГГГ (or ГГГГ-ММ-ДД) → ГГГГ-ММ-ДД, '' when empty. */
export function onecDate(text: string, what: string): string {
  const s = text.trim();
  if (s === '') return '';
  const m = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(s);
  const iso = m ? `${m[3]}-${m[2]}-${m[1]}` : s;
  if (!isValidDate(iso)) fail(`${what}: некорректная дата «${s}» (ожидается ДД.ММ.ГГГГ)`);
  return iso;
}

function onecAmount(text: string, what: string, signed = false): string {
  const s = text.trim().replace(',', '.');
  const v = signedAmount(s);
  if (v === null || (!signed && v.startsWith('-'))) fail(`${what}: некорректная сумма «${text.trim()}»`);
  return v;
}

interface Section {
  kind: string;
  line: number;
  values: Map<string, string>;
}

const first = (values: Map<string, string>, ...keys: string[]) => {
  for (const k of keys) {
    const v = values.get(k)?.trim();
    if (v) return v;
  }
  return '';
};

/** Reads a 1CClientBankExchange file (see the file header). Throws StatementFormatError (exit 2). */
export function parseOnec(bytes: Uint8Array): RawStatement {
  const text = decodeOnec(bytes);
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (lines[0].trim() !== ONEC_SIGNATURE) fail(`первая строка «${lines[0].slice(0, 40)}», ожидается ${ONEC_SIGNATURE}`);
  const header = new Map<string, string>();
  const accounts: Section[] = [];
  const documents: Section[] = [];
  let current: Section | null = null;
  let ended = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    if (ended) fail(`строка ${i + 1}: текст после КонецФайла`);
    const eq = line.indexOf('=');
    const key = (eq < 0 ? line : line.slice(0, eq)).trim();
    const value = eq < 0 ? '' : line.slice(eq + 1);
    if (key === 'КонецФайла') {
      if (current) fail(`строка ${i + 1}: КонецФайла внутри незакрытой секции (строка ${current.line})`);
      ended = true;
    } else if (key === 'СекцияРасчСчет' || key === 'СекцияДокумент') {
      if (current) fail(`строка ${i + 1}: новая секция внутри незакрытой секции (строка ${current.line})`);
      current = { kind: key === 'СекцияРасчСчет' ? 'account' : value.trim(), line: i + 1, values: new Map() };
    } else if (key === 'КонецРасчСчет' || key === 'КонецДокумента') {
      const expected = key === 'КонецРасчСчет' ? 'account' : 'document';
      if (!current || (current.kind === 'account') !== (expected === 'account')) fail(`строка ${i + 1}: ${key} без начала секции`);
      (expected === 'account' ? accounts : documents).push(current);
      current = null;
    } else if (eq < 0) {
      fail(`строка ${i + 1}: ожидается «Ключ=Значение», получено «${line.slice(0, 40)}»`);
    } else if (current) {
      if (current.values.has(key)) fail(`строка ${i + 1}: ключ ${key} повторяется в секции (строка ${current.line})`);
      current.values.set(key, value);
    } else {
      header.set(key, value);
    }
  }
  if (current) fail(`секция со строки ${current.line} не закрыта`);
  if (!ended) fail('нет строки КонецФайла: файл обрезан');
  if (accounts.length !== 1) fail(`ожидается одна секция СекцияРасчСчет, найдено ${accounts.length}`);
  const acc = accounts[0].values;
  const iban = first(acc, 'РасчСчет', 'ИИК').replace(/\s+/g, '').toUpperCase();
  if (iban === '') fail('в СекцияРасчСчет не указан РасчСчет');
  const from = onecDate(first(acc, 'ДатаНачала') || first(header, 'ДатаНачала'), 'ДатаНачала');
  const to = onecDate(first(acc, 'ДатаКонца') || first(header, 'ДатаКонца'), 'ДатаКонца');
  if (from === '' || to === '') fail('не указан период выписки (ДатаНачала, ДатаКонца)');
  const opening = onecAmount(first(acc, 'НачальныйОстаток'), 'НачальныйОстаток', true);
  const closing = onecAmount(first(acc, 'КонечныйОстаток'), 'КонечныйОстаток', true);
  const declaredCredits = first(acc, 'ВсегоПоступило');
  const declaredDebits = first(acc, 'ВсегоСписано');

  const entries: RawEntry[] = documents.map((d, i) => {
    const seq = i + 1;
    const what = `документ ${seq} (строка ${d.line})`;
    const payer = first(d.values, 'ПлательщикСчет', 'ПлательщикИИК').replace(/\s+/g, '').toUpperCase();
    const payee = first(d.values, 'ПолучательСчет', 'ПолучательИИК').replace(/\s+/g, '').toUpperCase();
    if ((payer === iban) === (payee === iban)) {
      fail(
        payer === iban
          ? `${what}: счёт выписки и у плательщика, и у получателя`
          : `${what}: ни плательщик (${payer || '—'}), ни получатель (${payee || '—'}) не владелец счёта выписки ${iban}`,
      );
    }
    const direction = payee === iban ? 'credit' : 'debit';
    const amount = onecAmount(first(d.values, 'Сумма'), `${what}: Сумма`);
    if (money(amount).lte(0)) fail(`${what}: сумма должна быть больше нуля`);
    const documentDate = onecDate(first(d.values, 'Дата'), `${what}: Дата`);
    const booked = onecDate(first(d.values, direction === 'credit' ? 'ДатаПоступило' : 'ДатаСписано'), `${what}: дата проводки`);
    const bookingDate = booked || documentDate;
    if (bookingDate === '') fail(`${what}: нет ни даты проводки, ни даты документа`);
    const fields: Record<string, string> = { СекцияДокумент: d.kind };
    for (const [k, v] of d.values) if (v.trim() !== '') fields[k] = v.trim();
    return { seq, direction, amount, bookingDate, valueDate: '', reversal: false, transactions: 1, fields };
  });

  return {
    format: 'onec',
    statementNo: '',
    createdAt: [first(header, 'ДатаСоздания'), first(header, 'ВремяСоздания')].filter(Boolean).join(' '),
    account: { iban, currency: 'KZT' },
    servicerBic: '',
    from,
    periodFromOpening: false,
    to,
    statementDate: to,
    opening,
    closing,
    declared: {
      credits: declaredCredits === '' ? undefined : onecAmount(declaredCredits, 'ВсегоПоступило'),
      debits: declaredDebits === '' ? undefined : onecAmount(declaredDebits, 'ВсегоСписано'),
    },
    entries,
    skipped: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Writing

const KAZAKH_TO_RUSSIAN: Record<string, string> = {
  Ә: 'А', ә: 'а', Ғ: 'Г', ғ: 'г', Қ: 'К', қ: 'к', Ң: 'Н', ң: 'н', Ө: 'О', ө: 'о', Ұ: 'У', ұ: 'у', Ү: 'У', ү: 'у', Һ: 'Х', һ: 'х',
};

let cp1251: Map<string, number> | null = null;

/** Windows-1251 of a text (the Kazakh letters replaced, see the file header). */
export function encodeCp1251(text: string, what: string): Buffer {
  if (!cp1251) {
    cp1251 = new Map();
    const decoder = new TextDecoder('windows-1251');
    for (let b = 0x80; b <= 0xff; b++) {
      const ch = decoder.decode(Uint8Array.of(b));
      if (ch !== '\uFFFD' && !cp1251.has(ch)) cp1251.set(ch, b);
    }
  }
  const out: number[] = [];
  for (const raw of text) {
    const ch = KAZAKH_TO_RUSSIAN[raw] ?? raw;
    const code = ch.codePointAt(0)!;
    if (code < 0x80) out.push(code);
    else {
      const b = cp1251.get(ch);
      if (b === undefined) throw new Error(`1C writer: ${what}: символ «${raw}» не записать в Windows-1251`);
      out.push(b);
    }
  }
  return Buffer.from(out);
}

const dmy = (date: string) => `${date.slice(8, 10)}.${date.slice(5, 7)}.${date.slice(0, 4)}`;

export interface OnecWriteOptions {
  /** The account owner's name and ИИН/БИН for the documents (Плательщик of a debit, Получатель of a credit). */
  owner?: { name: string; id: string };
  /** Отправитель of the header: the bank's system. */
  sender?: string;
}

/** A 1CClientBankExchange file of one statement in Windows-1251 (see the file header). */
export function writeOnec(s: Statement, opts: OnecWriteOptions = {}): Buffer {
  checkForWriting(s);
  const { credits, debits } = entriesMovement(s.entries);
  const created = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})/.exec(s.createdAt);
  const lines: string[] = [
    ONEC_SIGNATURE,
    'ВерсияФормата=1.03',
    'Кодировка=Windows',
    `Отправитель=${opts.sender ?? 'Клиент-банк'}`,
    'Получатель=Бухгалтерия',
    `ДатаСоздания=${dmy(created ? created[1] : s.statementDate)}`,
    `ВремяСоздания=${created ? created[2] : '23:59:59'}`,
    `ДатаНачала=${dmy(s.from)}`,
    `ДатаКонца=${dmy(s.to)}`,
    `РасчСчет=${s.account.iban}`,
    'Документ=Платежное поручение',
    'СекцияРасчСчет',
    `ДатаНачала=${dmy(s.from)}`,
    `ДатаКонца=${dmy(s.to)}`,
    `РасчСчет=${s.account.iban}`,
    `НачальныйОстаток=${signedAmount(s.opening)}`,
    `ВсегоПоступило=${formatAmount(credits)}`,
    `ВсегоСписано=${formatAmount(debits)}`,
    `КонечныйОстаток=${signedAmount(s.closing)}`,
    'КонецРасчСчет',
  ];
  const owner = opts.owner ?? { name: '', id: '' };
  for (const e of s.entries) {
    const a = e.attributes;
    const credit = e.direction === 'credit';
    const them = { iban: a.counterpartyIban, name: a.counterpartyName, id: a.counterpartyId };
    const us = { iban: s.account.iban, name: owner.name, id: owner.id };
    const payer = credit ? them : us;
    const payee = credit ? us : them;
    let purpose = a.purpose;
    if (a.endToEndId !== '' && !purpose.includes(a.endToEndId)) purpose = `${purpose} Реф. ${a.endToEndId}`.trim();
    if (a.reasonCode !== '') purpose = `${purpose} Код причины: ${a.reasonCode} ${a.reasonText}`.trim();
    const doc: [string, string][] = [
      ['СекцияДокумент', 'Платежное поручение'],
      ['Номер', a.documentNumber || a.instructionId],
      ['Дата', dmy(a.documentDate || e.bookingDate)],
      ['Сумма', formatAmount(e.amount)],
      ['ПлательщикИИК', payer.iban],
      ['Плательщик', payer.name],
      ['ПлательщикБИН', payer.id],
      [credit ? 'ДатаПоступило' : 'ДатаСписано', dmy(e.bookingDate)],
      ['ПолучательИИК', payee.iban],
      ['Получатель', payee.name],
      ['ПолучательБИН', payee.id],
      ['ВидОплаты', a.bankTxCode],
      ['НазначениеПлатежа', purpose],
    ];
    for (const [k, v] of doc) {
      if (/[\r\n]/.test(v)) throw new Error(`1C writer: операция ${e.seq}, ${k}: перевод строки в значении`);
      if (v !== '' || k === 'Номер') lines.push(`${k}=${v}`);
    }
    lines.push('КонецДокумента');
  }
  lines.push('КонецФайла');
  return encodeCp1251(`${lines.join('\r\n')}\r\n`, 'выписка');
}
