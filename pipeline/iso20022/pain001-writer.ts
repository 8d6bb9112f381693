// pain.001.001.09 CustomerCreditTransferInitiation: the payment order ГК sends to a bank, from a
// plain object (no database; pipeline/orders/pain001.ts builds the object of an order). Every
// field is checked — identifiers with their checksums, codes, dates, the lengths of the ISO text
// types, positive amounts, unique end-to-end references — and a bad one is an
// Iso20022FormatError naming it. Amounts stay decimal strings (big.js for the control sums).
//
// What a file must always carry (issue 13.1: a committed order's file can always be written):
//  - names (InitgPty/Nm, Dbtr/Nm, Cdtr/Nm, Max140Text) are fitted, not refused: a name longer
//    than 140 characters is cut at a character boundary (code points, as the XSD counts them,
//    fitText in xml.ts); the full name stays in the database and the reports (the register);
//  - the purpose (RmtInf/Ustrd, Max140Text) is fitted the same way before the codes
//    " КНП 010 КБе 19", which always stay whole at its end;
//  - identifiers are guaranteed by construction and checked here: MsgId and PmtInfId
//    "GK<year>-<number>" and EndToEndId "GK<year>-<number>-<seq>" of 32-bit integers (at most
//    28 characters), the contribution ids of a kind, a month and a БИН (at most 32);
//  - characters: any character XML 1.0 carries is written (Kazakh and Russian letters need
//    Unicode; no bank's narrower character set is assumed). What XML cannot carry, and the
//    controls, line separators and noncharacters besides, never get past import
//    (schemas/characters.ts); escapeXml refuses them should one arrive from elsewhere.
import { Iso20022FormatError } from '../kernel/errors.ts';
import { isValidDate } from '../kernel/dates.ts';
import { isValidBik, isValidIinBin, isValidKzIban } from '../kernel/identifiers.ts';
import { formatAmount, isAmount, parseAmount, ZERO } from '../kernel/money.ts';
import { fitText, hasForbiddenXmlChar, NAME_MAX, textLength, XmlWriter } from './xml.ts';

export const PAIN001_NAMESPACE = 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.09';

export interface Pain001Party {
  name: string;
  /** БИН, 12 digits. */
  bin: string;
}

export interface Pain001Debtor extends Pain001Party {
  iban: string;
  /** БИК, 8 characters. */
  bik: string;
}

export interface Pain001Creditor {
  name: string;
  /** ИИН or БИН, 12 digits. */
  idNumber: string;
  iban: string;
  bik: string;
  /** КБе: residency digit + economic-sector digit, e.g. "19". */
  kbe: string;
}

export interface Pain001Transaction {
  /** The line's end-to-end reference, quoted back by a bank return. */
  endToEndId: string;
  /** Decimal string, e.g. "120000.50". */
  amount: string;
  creditor: Pain001Creditor;
  /** Free text of the payment purpose; the codes "КНП 010 КБе 19" are appended to it. */
  remittance: string;
  /** КНП, 3 digits. */
  knp: string;
}

export interface Pain001Message {
  messageId: string;
  /** ISO date-time, e.g. "2025-02-17T10:00:00+05:00". */
  createdAt: string;
  initiatingParty: Pain001Party;
  debtor: Pain001Debtor;
  paymentInfoId: string;
  /** YYYY-MM-DD. */
  requestedExecutionDate: string;
  /** КНП of the whole instruction (PmtTpInf/CtgyPurp/Prtry), 3 digits. */
  purposeKnp: string;
  transactions: Pain001Transaction[];
}

const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})?$/;

function requireText(value: unknown, max: number, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new Iso20022FormatError(`${what}: значение не задано`);
  if (textLength(value) > max) {
    throw new Iso20022FormatError(`${what}: длиннее ${max} символов («${value}»)`);
  }
  return value;
}

/** A party name (Nm, Max140Text): required, and fitted to 140 characters when longer. */
function requireName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new Iso20022FormatError(`${what}: значение не задано`);
  return xmlText(fitText(value, NAME_MAX), what);
}

/** A free text XML 1.0 can carry (checked before anything is written; escapeXml checks again). */
function xmlText(value: string, what: string): string {
  if (hasForbiddenXmlChar(value)) throw new Iso20022FormatError(`${what}: недопустимый управляющий символ в тексте «${value}»`);
  return value;
}

function requireMatch(value: unknown, ok: (s: string) => boolean, what: string, expected: string): string {
  if (typeof value !== 'string' || !ok(value)) {
    throw new Iso20022FormatError(`${what}: «${String(value)}» — ${expected}`);
  }
  return value;
}

const DIGITS_RE = { 2: /^\d{2}$/, 3: /^\d{3}$/ };
const isDigits = (n: 2 | 3) => (s: string) => DIGITS_RE[n].test(s);

function codesText(knp: string, kbe: string): string {
  return `КНП ${knp} КБе ${kbe}`;
}

/** RmtInf/Ustrd is a Max140Text. */
const USTRD_MAX = 140;

/**
 * RmtInf/Ustrd: the free text followed by the codes, "… КНП 010 КБе 19"; the free text is cut to
 * the room the codes leave (at a character boundary), so the codes always stay whole.
 */
function unstructuredRemittance(remittance: string, knp: string, kbe: string): string {
  const codes = codesText(knp, kbe);
  const text = fitText(remittance, USTRD_MAX - codes.length - 1);
  return text === '' ? codes : `${text} ${codes}`;
}

/** "ИИН" when the 5th digit is 0–3 (a birth date), "БИН" when it is 4–6 (a legal-entity type). */
function isBin(idNumber: string): boolean {
  return /^\d{4}[4-6]/.test(idNumber);
}

function writeOrgId(w: XmlWriter, bin: string, what: string): void {
  w.open('Id').open('OrgId').open('Othr');
  w.leaf('Id', bin, what).open('SchmeNm').leaf('Cd', 'TXID', what).close('SchmeNm');
  w.close('Othr').close('OrgId').close('Id');
}

function writeCreditorId(w: XmlWriter, idNumber: string, what: string): void {
  const choice = isBin(idNumber) ? 'OrgId' : 'PrvtId';
  w.open('Id').open(choice).open('Othr');
  w.leaf('Id', idNumber, what).open('SchmeNm').leaf('Cd', 'TXID', what).close('SchmeNm');
  w.close('Othr').close(choice).close('Id');
}

/** A transaction as checked: what its CdtTrfTxInf says. */
interface CheckedTransaction {
  endToEndId: string;
  amount: string;
  name: string;
  idNumber: string;
  iban: string;
  bik: string;
  knp: string;
  ustrd: string;
}

/**
 * Checks transaction `i` of a pain.001 (throws Iso20022FormatError naming the field); with `seen`,
 * also that its EndToEndId is not one of those (and adds it).
 */
function checkTransaction(tx: Pain001Transaction, i: number, seen?: Set<string>): CheckedTransaction {
  const at = `pain.001, операция ${i + 1}`;
  const endToEndId = requireText(tx.endToEndId, 35, `${at}: EndToEndId`);
  if (seen) {
    if (seen.has(endToEndId)) throw new Iso20022FormatError(`${at}: EndToEndId «${endToEndId}» повторяется`);
    seen.add(endToEndId);
  }
  const amountText = requireMatch(tx.amount, isAmount, `${at}: сумма`, 'ожидается сумма с точкой и не более чем двумя знаками');
  const amount = parseAmount(amountText);
  if (amount.lte(0)) throw new Iso20022FormatError(`${at}: сумма должна быть больше нуля («${amountText}»)`);
  const c = tx.creditor;
  const knp = requireMatch(tx.knp, isDigits(3), `${at}: КНП`, 'ожидается три цифры');
  const kbe = requireMatch(c?.kbe, isDigits(2), `${at}: КБе`, 'ожидается две цифры');
  if (typeof tx.remittance !== 'string') throw new Iso20022FormatError(`${at}: назначение платежа не задано`);
  const ustrd = xmlText(unstructuredRemittance(tx.remittance, knp, kbe), `${at}: назначение платежа`);
  if (textLength(ustrd) > 140) {
    throw new Iso20022FormatError(`${at}: назначение платежа с кодами длиннее 140 символов («${ustrd}»)`);
  }
  return {
    endToEndId,
    amount: formatAmount(amount),
    name: requireName(c?.name, `${at}: наименование получателя`),
    idNumber: requireMatch(c?.idNumber, isValidIinBin, `${at}: ИИН/БИН получателя`, 'некорректный ИИН/БИН'),
    iban: requireMatch(c?.iban, isValidKzIban, `${at}: IBAN получателя`, 'некорректный IBAN'),
    bik: requireMatch(c?.bik, isValidBik, `${at}: БИК получателя`, 'некорректный БИК'),
    knp,
    ustrd,
  };
}

/**
 * The pain.001.001.09 payment order: one PmtInf (credit transfer, one debtor account) with a
 * CdtTrfTxInf per line. Validates the input (identifiers with their checksums, codes, dates,
 * lengths of the ISO text types, positive amounts, unique end-to-end references) and throws
 * Iso20022FormatError with the field named. Same input → byte-identical XML.
 */
export function buildPain001(msg: Pain001Message): string {
  const parts: string[] = [];
  writePain001(msg, (xml) => parts.push(xml));
  return parts.join('');
}

/**
 * Every check of writePain001, nothing written (an Iso20022FormatError naming the first bad
 * field): what a step runs on its orders before it commits, so that a committed order's file can
 * always be written (issue 13.1).
 */
export function checkPain001(msg: Pain001Message): void {
  checkMessage(msg);
}

/** The header checked, then every transaction (the first pass); the checked header values. */
function checkMessage(msg: Pain001Message) {
  const messageId = requireText(msg.messageId, 35, 'pain.001: MsgId');
  const createdAt = requireMatch(msg.createdAt, (s) => DATETIME_RE.test(s), 'pain.001: CreDtTm', 'ожидается дата и время ISO 8601');
  const initName = requireName(msg.initiatingParty?.name, 'pain.001: наименование инициатора');
  const initBin = requireMatch(msg.initiatingParty?.bin, isValidIinBin, 'pain.001: БИН инициатора', 'некорректный БИН');
  const debtorName = requireName(msg.debtor?.name, 'pain.001: наименование плательщика');
  const debtorBin = requireMatch(msg.debtor?.bin, isValidIinBin, 'pain.001: БИН плательщика', 'некорректный БИН');
  const debtorIban = requireMatch(msg.debtor?.iban, isValidKzIban, 'pain.001: IBAN плательщика', 'некорректный IBAN');
  const debtorBik = requireMatch(msg.debtor?.bik, isValidBik, 'pain.001: БИК плательщика', 'некорректный БИК');
  const paymentInfoId = requireText(msg.paymentInfoId, 35, 'pain.001: PmtInfId');
  const execDate = requireMatch(msg.requestedExecutionDate, isValidDate, 'pain.001: дата исполнения', 'ожидается ГГГГ-ММ-ДД');
  const purposeKnp = requireMatch(msg.purposeKnp, isDigits(3), 'pain.001: КНП платежа', 'ожидается три цифры');
  if (!Array.isArray(msg.transactions) || msg.transactions.length === 0) {
    throw new Iso20022FormatError('pain.001: в платёжном поручении нет ни одной операции');
  }

  // Every transaction checked: the count and control sum that head the document.
  const seen = new Set<string>();
  let total = ZERO;
  msg.transactions.forEach((tx, i) => {
    total = total.plus(checkTransaction(tx, i, seen).amount);
  });
  const nbOfTxs = String(msg.transactions.length);
  const ctrlSum = formatAmount(total);
  return { messageId, createdAt, initName, initBin, debtorName, debtorBin, debtorIban, debtorBik, paymentInfoId, execDate, purposeKnp, nbOfTxs, ctrlSum };
}

/**
 * buildPain001 handed out in pieces, in order, to `write` (e.g. a file): every transaction is
 * checked before the first piece, and only one transaction's XML is held at a time, so an order
 * of thousands of lines never sits in memory whole.
 */
export function writePain001(msg: Pain001Message, write: (xml: string) => void): void {
  const { messageId, createdAt, initName, initBin, debtorName, debtorBin, debtorIban, debtorBik, paymentInfoId, execDate, purposeKnp, nbOfTxs, ctrlSum } =
    checkMessage(msg);

  const w = new XmlWriter();
  w.open('Document', ` xmlns="${PAIN001_NAMESPACE}"`).open('CstmrCdtTrfInitn');

  w.open('GrpHdr');
  w.leaf('MsgId', messageId, 'MsgId').leaf('CreDtTm', createdAt, 'CreDtTm');
  w.leaf('NbOfTxs', nbOfTxs, 'NbOfTxs').leaf('CtrlSum', ctrlSum, 'CtrlSum');
  w.open('InitgPty').leaf('Nm', initName, 'наименование инициатора');
  writeOrgId(w, initBin, 'БИН инициатора');
  w.close('InitgPty');
  w.close('GrpHdr');

  w.open('PmtInf');
  w.leaf('PmtInfId', paymentInfoId, 'PmtInfId').leaf('PmtMtd', 'TRF', 'PmtMtd');
  w.leaf('NbOfTxs', nbOfTxs, 'NbOfTxs').leaf('CtrlSum', ctrlSum, 'CtrlSum');
  w.open('PmtTpInf').open('CtgyPurp').leaf('Prtry', purposeKnp, 'КНП').close('CtgyPurp').close('PmtTpInf');
  w.open('ReqdExctnDt').leaf('Dt', execDate, 'дата исполнения').close('ReqdExctnDt');
  w.open('Dbtr').leaf('Nm', debtorName, 'наименование плательщика');
  writeOrgId(w, debtorBin, 'БИН плательщика');
  w.close('Dbtr');
  w.open('DbtrAcct').open('Id').leaf('IBAN', debtorIban, 'IBAN').close('Id').leaf('Ccy', 'KZT', 'Ccy').close('DbtrAcct');
  w.open('DbtrAgt').open('FinInstnId').leaf('BICFI', debtorBik, 'БИК').close('FinInstnId').close('DbtrAgt');
  write(w.take());

  // Second pass: each transaction written as it is checked again (the checks are cheap; holding
  // the checked transactions of a large order is not).
  msg.transactions.forEach((tx, i) => {
    const t = checkTransaction(tx, i);
    const what = `операция ${t.endToEndId}`;
    w.open('CdtTrfTxInf');
    w.open('PmtId').leaf('EndToEndId', t.endToEndId, what).close('PmtId');
    w.open('Amt').leaf('InstdAmt', t.amount, what, ' Ccy="KZT"').close('Amt');
    w.open('CdtrAgt').open('FinInstnId').leaf('BICFI', t.bik, what).close('FinInstnId').close('CdtrAgt');
    w.open('Cdtr').leaf('Nm', t.name, `${what}: наименование получателя`);
    writeCreditorId(w, t.idNumber, what);
    w.close('Cdtr');
    w.open('CdtrAcct').open('Id').leaf('IBAN', t.iban, what).close('Id').close('CdtrAcct');
    w.open('Purp').leaf('Prtry', t.knp, what).close('Purp');
    w.open('RmtInf').leaf('Ustrd', t.ustrd, `${what}: назначение платежа`).close('RmtInf');
    w.close('CdtTrfTxInf');
    write(w.take());
  });

  w.close('PmtInf');
  w.close('CstmrCdtTrfInitn').close('Document');
  write(w.take());
}
