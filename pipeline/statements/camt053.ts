// ISO 20022 camt.053.001.08 BankToCustomerStatement: the statement of ГК's account as a bank
// sends it. One Stmt per file (one account, one period).
//
// Read (the rest of the document is kept in each entry's fields, not interpreted):
//   Stmt/Id                      the statement number          Stmt/CreDtTm (else GrpHdr/CreDtTm)
//   Stmt/FrToDt/FrDtTm, ToDtTm   the period (else the dates of the opening and closing balances)
//   Stmt/Acct/Id/IBAN, Acct/Ccy  the account;  Acct/Svcr/FinInstnId/BICFI the bank (picks the mapping)
//   Stmt/Bal                     Tp/CdOrPrtry/Cd OPBD (else PRCD) opening, CLBD closing; Amt, CdtDbtInd, Dt
//   Stmt/TxsSummry               TtlCdtNtries, TtlDbtNtries (NbOfNtries, Sum): checked when present
//   Stmt/Ntry                    Amt (KZT), CdtDbtInd, RvslInd, Sts/Cd (only BOOK entries count),
//                                BookgDt, ValDt; NtryDtls/TxDtls counted (more than one = a batch)
// Every element under Ntry becomes a field named by its path from Ntry ("NtryDtls/TxDtls/Refs/
// InstrId", attributes as ".../Amt/@Ccy"); a repeated text element (Ustrd, AddtlInf) is joined
// with spaces, of a repeated block the first is kept. "BkTxCd" is Domn/Cd/Fmly/Cd/SubFmlyCd
// joined with "/" (else Prtry/Cd). Which field means what is the mapping's business.
//
// Written (writeCamt053): each attribute where the default mapping reads it — Btch/MsgId,
// Refs/InstrId and EndToEndId, RltdPties (the debtor of a credit, the creditor of a debit),
// RmtInf/Ustrd, RtrInf/Rsn/Cd and AddtlInf, AcctSvcrRef, BkTxCd.
import {
  XmlWriter,
  fitText,
  NAME_MAX,
  at,
  attr,
  child,
  children,
  rawText,
  readDocument,
  statusDate,
  textAt,
  type XmlNode,
  wrapText,
} from '../iso20022/xml.ts';
import { isValidDate } from '../kernel/dates.ts';
import { formatAmount, isAmount, money } from '../kernel/money.ts';
import {
  StatementFormatError,
  checkForWriting,
  entriesMovement,
  signedAmount,
  type Direction,
  type RawEntry,
  type RawStatement,
  type Statement,
  type StatementEntry,
} from './model.ts';

export const CAMT053_NAMESPACE = 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.08';

/** Whether the text is a camt.053 document (its root names the namespace): detection by content. */
export function looksLikeCamt053(text: string): boolean {
  const head = text.slice(0, 4096);
  return /^\s*(<\?xml[^>]*>\s*)?</.test(head) && head.includes('camt.053.');
}

// ---------------------------------------------------------------------------------------------
// Reading

/** Leaf texts and attributes of an element, by path ("a/b/c", "a/b/@Ccy"). */
function flatten(node: XmlNode, prefix: string, out: Record<string, string>): void {
  if (typeof node === 'string') {
    const t = node.trim();
    if (t !== '' && !(prefix in out)) out[prefix] = t;
    return;
  }
  for (const [key, value] of Object.entries(node)) {
    if (key === '#text') {
      const t = rawText(node).trim();
      if (t !== '' && !(prefix in out)) out[prefix] = t;
      continue;
    }
    if (key.startsWith('@_')) {
      if (!key.startsWith('@_xmlns') && typeof value === 'string' && !(`${prefix}/@${key.slice(2)}` in out)) {
        out[`${prefix}/@${key.slice(2)}`] = value.trim();
      }
      continue;
    }
    const path = prefix ? `${prefix}/${key}` : key;
    const list = Array.isArray(value) ? value : [value];
    if (list.length > 1 && list.every((v) => typeof v === 'string' || Object.keys(v).every((k) => k === '#text' || k.startsWith('@_')))) {
      // A repeated text element (Ustrd, AddtlInf): one text.
      const joined = list.map((v) => rawText(v).trim()).filter(Boolean).join(' ');
      if (joined !== '' && !(path in out)) out[path] = joined;
      continue;
    }
    for (const v of list) flatten(v, path, out);
  }
}

function dateOf(node: XmlNode | undefined): string {
  const d = textAt(node, 'Dt');
  if (d) return d;
  const dt = textAt(node, 'DtTm');
  return dt ? statusDate(dt) : '';
}

function fail(what: string): never {
  throw new StatementFormatError(`camt.053: ${what}`);
}

function signedBalance(bal: XmlNode, code: string): { amount: string; date: string; ccy: string } {
  const amountNode = child(bal, 'Amt');
  const text = rawText(amountNode).trim();
  if (!isAmount(text)) fail(`остаток ${code}: некорректная сумма «${text}»`);
  const ind = textAt(bal, 'CdtDbtInd');
  if (ind !== 'CRDT' && ind !== 'DBIT') fail(`остаток ${code}: признак CdtDbtInd «${ind}», ожидается CRDT или DBIT`);
  const date = dateOf(child(bal, 'Dt'));
  if (!isValidDate(date)) fail(`остаток ${code}: некорректная дата «${date}»`);
  const value = formatAmount(text);
  return { amount: ind === 'DBIT' && value !== '0.00' ? `-${value}` : value, date, ccy: attr(amountNode, 'Ccy') ?? '' };
}

function summary(node: XmlNode | undefined): { count?: number; sum?: string } {
  if (node === undefined) return {};
  const n = textAt(node, 'NbOfNtries');
  const s = textAt(node, 'Sum');
  if (n !== '' && !/^\d{1,15}$/.test(n)) fail(`TxsSummry: некорректное число операций «${n}»`);
  if (s !== '' && !isAmount(s)) fail(`TxsSummry: некорректная сумма «${s}»`);
  return { count: n === '' ? undefined : Number(n), sum: s === '' ? undefined : formatAmount(s) };
}

/** Reads a camt.053.001.08 (see the file header). Throws StatementFormatError (exit 2). */
export function parseCamt053(xml: string): RawStatement {
  const { document, namespace } = readDocument(xml, 'camt.053');
  if (namespace !== CAMT053_NAMESPACE) {
    const shown = namespace === '' ? 'пространство имён не указано' : `пространство имён «${namespace}»`;
    fail(`${shown}; принимается выписка ISO 20022 ${CAMT053_NAMESPACE}`);
  }
  const root = child(document, 'BkToCstmrStmt');
  if (root === undefined || typeof root === 'string') fail('нет элемента BkToCstmrStmt (выписка банка)');
  const stmts = children(root, 'Stmt');
  if (stmts.length !== 1) fail(`ожидается одна выписка (Stmt) в файле, найдено ${stmts.length}`);
  const stmt = stmts[0];

  const iban = textAt(stmt, 'Acct', 'Id', 'IBAN') || textAt(stmt, 'Acct', 'Id', 'Othr', 'Id');
  if (iban === '') fail('не указан счёт выписки (Acct/Id/IBAN)');
  const balances = children(stmt, 'Bal').map((b) => ({ code: textAt(b, 'Tp', 'CdOrPrtry', 'Cd'), node: b }));
  const openingNode = balances.find((b) => b.code === 'OPBD') ?? balances.find((b) => b.code === 'PRCD');
  const closingNode = balances.find((b) => b.code === 'CLBD');
  if (!openingNode) fail('нет входящего остатка (Bal с типом OPBD или PRCD)');
  if (!closingNode) fail('нет исходящего остатка (Bal с типом CLBD)');
  const opening = signedBalance(openingNode.node, openingNode.code);
  const closing = signedBalance(closingNode.node, 'CLBD');
  const currency = textAt(stmt, 'Acct', 'Ccy') || closing.ccy;
  for (const b of [opening, closing]) {
    if (b.ccy !== '' && b.ccy !== currency) fail(`валюта остатка ${b.ccy} не совпадает с валютой счёта ${currency}`);
  }
  const fromTo = child(stmt, 'FrToDt');
  const fromStamp = textAt(fromTo, 'FrDtTm');
  const toStamp = textAt(fromTo, 'ToDtTm');
  const from = fromStamp ? statusDate(fromStamp) : opening.date;
  const to = toStamp ? statusDate(toStamp) : closing.date;

  const entries: RawEntry[] = [];
  const skipped: RawStatement['skipped'] = [];
  children(stmt, 'Ntry').forEach((ntry, i) => {
    const seq = i + 1;
    const at_ = `операция ${seq} (Ntry)`;
    const status = textAt(ntry, 'Sts', 'Cd') || textAt(ntry, 'Sts');
    if (status !== '' && status !== 'BOOK') {
      skipped.push({ seq, status });
      return;
    }
    const amountNode = child(ntry, 'Amt');
    const amountText = rawText(amountNode).trim();
    if (!isAmount(amountText) || money(amountText).lte(0)) fail(`${at_}: некорректная сумма «${amountText}»`);
    const ccy = attr(amountNode, 'Ccy') ?? '';
    if (ccy !== currency) fail(`${at_}: валюта ${ccy || 'не указана'}, а валюта счёта ${currency}`);
    const ind = textAt(ntry, 'CdtDbtInd');
    if (ind !== 'CRDT' && ind !== 'DBIT') fail(`${at_}: признак CdtDbtInd «${ind}», ожидается CRDT или DBIT`);
    const bookingDate = dateOf(child(ntry, 'BookgDt'));
    if (!isValidDate(bookingDate)) fail(`${at_}: нет даты проводки (BookgDt) или она некорректна «${bookingDate}»`);
    const valueDate = dateOf(child(ntry, 'ValDt'));
    const fields: Record<string, string> = {};
    flatten(ntry, '', fields);
    const domain = at(ntry, 'BkTxCd', 'Domn');
    const code = domain
      ? [textAt(domain, 'Cd'), textAt(domain, 'Fmly', 'Cd'), textAt(domain, 'Fmly', 'SubFmlyCd')].join('/')
      : textAt(ntry, 'BkTxCd', 'Prtry', 'Cd');
    if (code) fields.BkTxCd = code;
    const transactions = children(ntry, 'NtryDtls').reduce((n, d) => n + children(d, 'TxDtls').length, 0);
    entries.push({
      seq,
      direction: ind === 'CRDT' ? 'credit' : 'debit',
      amount: formatAmount(amountText),
      bookingDate,
      valueDate: isValidDate(valueDate) ? valueDate : '',
      reversal: textAt(ntry, 'RvslInd') === 'true',
      transactions: Math.max(1, transactions),
      fields,
    });
  });

  const sums = child(stmt, 'TxsSummry');
  const credits = summary(child(sums, 'TtlCdtNtries'));
  const debits = summary(child(sums, 'TtlDbtNtries'));
  return {
    format: 'camt053',
    statementNo: textAt(stmt, 'Id'),
    createdAt: textAt(stmt, 'CreDtTm') || textAt(root, 'GrpHdr', 'CreDtTm'),
    account: { iban, currency },
    servicerBic: textAt(stmt, 'Acct', 'Svcr', 'FinInstnId', 'BICFI'),
    from,
    periodFromOpening: !fromStamp,
    to,
    statementDate: closing.date,
    opening: opening.amount,
    closing: closing.amount,
    declared: { credits: credits.sum, debits: debits.sum, creditCount: credits.count, debitCount: debits.count },
    entries,
    skipped,
  };
}

// ---------------------------------------------------------------------------------------------
// Writing

function balance(w: XmlWriter, code: string, amount: string, date: string): void {
  const value = money(amount);
  w.open('Bal');
  w.open('Tp').open('CdOrPrtry').leaf('Cd', code, 'Bal').close('CdOrPrtry').close('Tp');
  w.leaf('Amt', formatAmount(value.abs()), 'Bal', ' Ccy="KZT"');
  w.leaf('CdtDbtInd', value.lt(0) ? 'DBIT' : 'CRDT', 'Bal');
  w.open('Dt').leaf('Dt', date, 'Bal').close('Dt');
  w.close('Bal');
}

/** "ИИН" when the 5th digit is 0–3 (a birth date), "БИН" when it is 4–6 (a legal-entity type). */
function isBin(id: string): boolean {
  return /^\d{4}[4-6]\d{7}$/.test(id);
}

function party(w: XmlWriter, role: 'Dbtr' | 'Cdtr', e: StatementEntry, what: string): void {
  const a = e.attributes;
  if (a.counterpartyName === '' && a.counterpartyId === '' && a.counterpartyIban === '') return;
  if (a.counterpartyName !== '' || a.counterpartyId !== '') {
    w.open(role).open('Pty');
    if (a.counterpartyName !== '') w.leaf('Nm', fitText(a.counterpartyName, NAME_MAX), what); // Max140Text: fitted, not refused
    if (a.counterpartyId !== '') {
      const choice = isBin(a.counterpartyId) ? 'OrgId' : 'PrvtId';
      w.open('Id').open(choice).open('Othr').leaf('Id', a.counterpartyId, what).close('Othr').close(choice).close('Id');
    }
    w.close('Pty').close(role);
  }
  if (a.counterpartyIban !== '') w.open(`${role}Acct`).open('Id').leaf('IBAN', a.counterpartyIban, what).close('Id').close(`${role}Acct`);
}

function bankTxCode(w: XmlWriter, code: string, direction: Direction, what: string): void {
  const value = code !== '' ? code : direction === 'credit' ? 'PMNT/RCDT/ESCT' : 'PMNT/ICDT/ESCT';
  const parts = value.split('/');
  w.open('BkTxCd');
  if (parts.length === 3 && parts.every((p) => /^[A-Z]{4}$/.test(p))) {
    w.open('Domn').leaf('Cd', parts[0], what).open('Fmly').leaf('Cd', parts[1], what).leaf('SubFmlyCd', parts[2], what).close('Fmly').close('Domn');
  } else {
    w.open('Prtry').leaf('Cd', value, what).close('Prtry');
  }
  w.close('BkTxCd');
}

function entry(w: XmlWriter, e: StatementEntry): void {
  const what = `camt.053, операция ${e.seq}`;
  const a = e.attributes;
  const ind = e.direction === 'credit' ? 'CRDT' : 'DBIT';
  w.open('Ntry');
  w.leaf('Amt', formatAmount(e.amount), what, ' Ccy="KZT"');
  w.leaf('CdtDbtInd', ind, what);
  if (e.reversal) w.leaf('RvslInd', 'true', what);
  w.open('Sts').leaf('Cd', 'BOOK', what).close('Sts');
  w.open('BookgDt').leaf('Dt', e.bookingDate, what).close('BookgDt');
  w.open('ValDt').leaf('Dt', e.valueDate || e.bookingDate, what).close('ValDt');
  if (a.bankReference !== '') w.leaf('AcctSvcrRef', a.bankReference, what);
  bankTxCode(w, a.bankTxCode, e.direction, what);
  w.open('NtryDtls');
  if (a.messageId !== '') w.open('Btch').leaf('MsgId', a.messageId, what).close('Btch');
  w.open('TxDtls');
  if (a.instructionId !== '' || a.endToEndId !== '') {
    w.open('Refs');
    if (a.instructionId !== '') w.leaf('InstrId', a.instructionId, what);
    if (a.endToEndId !== '') w.leaf('EndToEndId', a.endToEndId, what);
    w.close('Refs');
  }
  w.leaf('Amt', formatAmount(e.amount), what, ' Ccy="KZT"');
  w.leaf('CdtDbtInd', ind, what);
  const parties = a.counterpartyName !== '' || a.counterpartyId !== '' || a.counterpartyIban !== '';
  if (parties) {
    w.open('RltdPties');
    party(w, e.direction === 'credit' ? 'Dbtr' : 'Cdtr', e, what);
    w.close('RltdPties');
  }
  if (a.purpose !== '') {
    w.open('RmtInf');
    for (const line of wrapText(a.purpose, 140)) w.leaf('Ustrd', line, what);
    w.close('RmtInf');
  }
  if (a.reasonCode !== '' || a.reasonText !== '') {
    w.open('RtrInf');
    if (a.reasonCode !== '') {
      w.open('Rsn');
      if (/^[A-Z0-9]{1,4}$/.test(a.reasonCode)) w.leaf('Cd', a.reasonCode, what);
      else w.leaf('Prtry', a.reasonCode, what);
      w.close('Rsn');
    }
    for (const line of wrapText(a.reasonText, 105)) w.leaf('AddtlInf', line, what);
    w.close('RtrInf');
  }
  w.close('TxDtls');
  w.close('NtryDtls');
  w.close('Ntry');
}

/**
 * A camt.053.001.08 document of one statement (see the file header). Same input → the same bytes.
 * `createdAt` of the statement, else the end of its closing day in Kazakhstan time.
 */
export function writeCamt053(s: Statement): string {
  checkForWriting(s);
  const createdAt = s.createdAt || `${s.statementDate}T23:59:59+05:00`;
  const { credits, debits } = entriesMovement(s.entries);
  const w = new XmlWriter();
  w.open('Document', ` xmlns="${CAMT053_NAMESPACE}"`).open('BkToCstmrStmt');
  w.open('GrpHdr').leaf('MsgId', s.statementNo || `STMT-${s.statementDate}`, 'MsgId').leaf('CreDtTm', createdAt, 'CreDtTm').close('GrpHdr');
  w.open('Stmt');
  w.leaf('Id', s.statementNo || `STMT-${s.statementDate}`, 'Id');
  w.leaf('CreDtTm', createdAt, 'CreDtTm');
  w.open('FrToDt').leaf('FrDtTm', `${s.from}T00:00:00+05:00`, 'FrDtTm').leaf('ToDtTm', `${s.to}T23:59:59+05:00`, 'ToDtTm').close('FrToDt');
  w.open('Acct').open('Id').leaf('IBAN', s.account.iban, 'IBAN').close('Id').leaf('Ccy', s.account.currency, 'Ccy');
  if (s.servicerBic !== '') w.open('Svcr').open('FinInstnId').leaf('BICFI', s.servicerBic, 'BICFI').close('FinInstnId').close('Svcr');
  w.close('Acct');
  balance(w, 'OPBD', signedAmount(s.opening)!, s.from);
  balance(w, 'CLBD', signedAmount(s.closing)!, s.statementDate);
  const count = (d: Direction) => String(s.entries.filter((e) => e.direction === d).length);
  w.open('TxsSummry');
  w.open('TtlCdtNtries').leaf('NbOfNtries', count('credit'), 'TxsSummry').leaf('Sum', formatAmount(credits), 'TxsSummry').close('TtlCdtNtries');
  w.open('TtlDbtNtries').leaf('NbOfNtries', count('debit'), 'TxsSummry').leaf('Sum', formatAmount(debits), 'TxsSummry').close('TtlDbtNtries');
  w.close('TxsSummry');
  for (const e of s.entries) entry(w, e);
  w.close('Stmt');
  w.close('BkToCstmrStmt').close('Document');
  return w.toString();
}
