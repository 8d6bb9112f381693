// pain.002.001.03–.10 CustomerPaymentStatusReport: a bank's report of the credits it could not
// make, read into the rows of the `returns` import (pipeline/imports/pain002-reader.ts). Field
// values pass as written (trimmed) to the import's row checks; anything that is not such a
// report is an Iso20022FormatError (exit 2: an unusable file).
import { Iso20022FormatError } from '../kernel/errors.ts';
import { at, attr, child, children, rawText, readDocument, statusDate, textAt, type XmlNode } from './xml.ts';

const PAIN002_NAMESPACE_RE = /^urn:iso:std:iso:20022:tech:xsd:pain\.002\.001\.(0[3-9]|10)$/;

/** One rejected transaction of a pain.002, in the columns of the CSV `returns` import. */
export interface Pain002ReturnRow {
  /** Ordinal of the TxInfAndSts in the document, from 1 (shared with `skipped`). */
  rowNo: number;
  payment_ref: string;
  amount: string;
  returned_on: string;
  reason_code: string;
  reason_text: string;
}

/** A transaction of a pain.002 that is not a rejection (ACSC, ACCP, PDNG…): reported, not taken. */
export interface Pain002Skipped {
  rowNo: number;
  payment_ref: string;
  /** The effective status: TxSts, else the payment-information status, else the group status. */
  status: string;
}

export interface Pain002Report {
  /** Namespace of the document, e.g. "urn:iso:std:iso:20022:tech:xsd:pain.002.001.03". */
  namespace: string;
  messageId: string;
  originalMessageId: string;
  rows: Pain002ReturnRow[];
  skipped: Pain002Skipped[];
}

function statusReason(tx: XmlNode): { code: string; text: string } {
  const infos = children(tx, 'StsRsnInf');
  let code = '';
  for (const info of infos) {
    code = textAt(info, 'Rsn', 'Cd') || textAt(info, 'Rsn', 'Prtry');
    if (code) break;
  }
  const text = infos
    .map((info) => children(info, 'AddtlInf').map((n) => rawText(n).trim()).filter(Boolean).join(' '))
    .filter(Boolean)
    .join('; ');
  return { code, text };
}

/**
 * Reads a pain.002 CustomerPaymentStatusReport (pain.002.001.03 to .10). Every TxInfAndSts whose
 * status (TxSts, else PmtInfSts, else GrpSts) is RJCT becomes a row of the `returns` import;
 * the others are listed in `skipped`. Field values are passed as written (trimmed) for the
 * import's row checks; missing ones are ''. Throws Iso20022FormatError on anything that is not
 * such a report, on a currency other than KZT and on a rejection that names no transaction.
 */
export function parsePain002(xml: string): Pain002Report {
  const { document, namespace } = readDocument(xml, 'pain.002');
  if (!PAIN002_NAMESPACE_RE.test(namespace)) {
    const shown = namespace === '' ? 'пространство имён не указано' : `неизвестное пространство имён «${namespace}»`;
    throw new Iso20022FormatError(
      `pain.002: ${shown}; ожидается отчёт о статусе платежей ISO 20022 pain.002.001.03–pain.002.001.10`,
    );
  }
  const report = child(document, 'CstmrPmtStsRpt');
  if (report === undefined || typeof report === 'string') {
    throw new Iso20022FormatError('pain.002: нет элемента CstmrPmtStsRpt (отчёт о статусе платежей)');
  }
  const createdAt = textAt(report, 'GrpHdr', 'CreDtTm');
  const originalMessageId = textAt(report, 'OrgnlGrpInfAndSts', 'OrgnlMsgId');
  if (originalMessageId === '') {
    throw new Iso20022FormatError(
      'pain.002: не указан номер исходного сообщения (OrgnlGrpInfAndSts/OrgnlMsgId); возвраты нельзя сверить с платёжным поручением',
    );
  }
  const groupStatus = textAt(report, 'OrgnlGrpInfAndSts', 'GrpSts');

  const rows: Pain002ReturnRow[] = [];
  const skipped: Pain002Skipped[] = [];
  let rowNo = 0;
  const pmtInfs = children(report, 'OrgnlPmtInfAndSts');
  if (pmtInfs.length === 0 && groupStatus === 'RJCT') {
    throw new Iso20022FormatError(
      'pain.002: сообщение отклонено целиком (GrpSts RJCT) без сведений по операциям; возвраты по нему не определить',
    );
  }
  for (const pmtInf of pmtInfs) {
    const pmtInfStatus = textAt(pmtInf, 'PmtInfSts');
    const txs = children(pmtInf, 'TxInfAndSts');
    if (txs.length === 0 && (pmtInfStatus || groupStatus) === 'RJCT') {
      throw new Iso20022FormatError(
        `pain.002: блок платежей «${textAt(pmtInf, 'OrgnlPmtInfId')}» отклонён целиком без сведений по операциям; возвраты по нему не определить`,
      );
    }
    for (const tx of txs) {
      rowNo++;
      const paymentRef = textAt(tx, 'OrgnlEndToEndId');
      const status = textAt(tx, 'TxSts') || pmtInfStatus || groupStatus;
      if (status !== 'RJCT') {
        skipped.push({ rowNo, payment_ref: paymentRef, status });
        continue;
      }
      const amountNode = at(tx, 'OrgnlTxRef', 'Amt', 'InstdAmt');
      const ccy = attr(amountNode, 'Ccy');
      if (amountNode !== undefined && ccy !== undefined && ccy !== 'KZT') {
        throw new Iso20022FormatError(
          `pain.002: операция ${rowNo} («${paymentRef}»): валюта ${ccy}, ожидается KZT`,
        );
      }
      const stamp = textAt(tx, 'AccptncDtTm') || createdAt;
      const reason = statusReason(tx);
      rows.push({
        rowNo,
        payment_ref: paymentRef,
        amount: rawText(amountNode).trim(),
        returned_on: stamp === '' ? '' : statusDate(stamp),
        reason_code: reason.code,
        reason_text: reason.text,
      });
    }
  }
  return {
    namespace,
    messageId: textAt(report, 'GrpHdr', 'MsgId'),
    originalMessageId,
    rows,
    skipped,
  };
}
