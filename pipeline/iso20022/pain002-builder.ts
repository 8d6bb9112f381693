// pain.002.001.10 status reports built from plain objects, for the demo's bank returns and for
// fixtures and tests. Values are written as given (escaped), so a fixture can also carry a wrong
// amount or an unknown reference for the importer to reject.
import { escapeXml, wrapText, XmlWriter } from './xml.ts';

export const PAIN002_NAMESPACE = 'urn:iso:std:iso:20022:tech:xsd:pain.002.001.10';

export interface Pain002Transaction {
  endToEndId: string;
  /** TxSts; RJCT unless given. */
  status?: string;
  /** Written exactly as given into OrgnlTxRef/Amt/InstdAmt (omitted when undefined). */
  amount?: string;
  currency?: string;
  /** AccptncDtTm (omitted when undefined). */
  acceptedAt?: string;
  /** StsRsnInf/Rsn/Cd, e.g. AC01, AC04, AC06, BE01 (omitted when undefined). */
  reasonCode?: string;
  /** StsRsnInf/AddtlInf: one element per array item; a longer string is cut at spaces into ≤105 characters. */
  reasonText?: string | string[];
}

export interface Pain002Message {
  messageId: string;
  createdAt: string;
  originalMessageId: string;
  /** Default "pain.001.001.09". */
  originalMessageNameId?: string;
  /** Default: originalMessageId. */
  originalPaymentInfoId?: string;
  /** GrpSts; default: the common status of the transactions, PART when they differ. */
  groupStatus?: string;
  transactions: Pain002Transaction[];
}

/**
 * A pain.002.001.10 status report for fixtures and tests: one OrgnlPmtInfAndSts with a
 * TxInfAndSts per transaction (RJCT unless another status is given). Values are written as
 * given (escaped), so a fixture can also carry a wrong amount or an unknown reference.
 */
export function buildPain002(msg: Pain002Message): string {
  const statuses = msg.transactions.map((t) => t.status ?? 'RJCT');
  const groupStatus =
    msg.groupStatus ?? (statuses.length === 0 ? undefined : statuses.every((s) => s === statuses[0]) ? statuses[0] : 'PART');

  const w = new XmlWriter();
  w.open('Document', ` xmlns="${PAIN002_NAMESPACE}"`).open('CstmrPmtStsRpt');
  w.open('GrpHdr');
  w.leaf('MsgId', msg.messageId, 'MsgId').leaf('CreDtTm', msg.createdAt, 'CreDtTm');
  w.close('GrpHdr');
  w.open('OrgnlGrpInfAndSts');
  w.leaf('OrgnlMsgId', msg.originalMessageId, 'OrgnlMsgId');
  w.leaf('OrgnlMsgNmId', msg.originalMessageNameId ?? 'pain.001.001.09', 'OrgnlMsgNmId');
  if (groupStatus !== undefined) w.leaf('GrpSts', groupStatus, 'GrpSts');
  w.close('OrgnlGrpInfAndSts');
  if (msg.transactions.length > 0) {
    w.open('OrgnlPmtInfAndSts');
    w.leaf('OrgnlPmtInfId', msg.originalPaymentInfoId ?? msg.originalMessageId, 'OrgnlPmtInfId');
    msg.transactions.forEach((t, i) => {
      const what = `pain.002, операция ${i + 1}`;
      w.open('TxInfAndSts');
      w.leaf('OrgnlEndToEndId', t.endToEndId, what);
      w.leaf('TxSts', statuses[i], what);
      const lines = t.reasonText === undefined ? [] : Array.isArray(t.reasonText) ? t.reasonText : wrapText(t.reasonText, 105);
      if (t.reasonCode !== undefined || lines.length > 0) {
        w.open('StsRsnInf');
        if (t.reasonCode !== undefined) w.open('Rsn').leaf('Cd', t.reasonCode, what).close('Rsn');
        for (const line of lines) w.leaf('AddtlInf', line, what);
        w.close('StsRsnInf');
      }
      if (t.acceptedAt !== undefined) w.leaf('AccptncDtTm', t.acceptedAt, what);
      if (t.amount !== undefined) {
        w.open('OrgnlTxRef').open('Amt');
        w.leaf('InstdAmt', t.amount, what, ` Ccy="${escapeXml(t.currency ?? 'KZT', what)}"`);
        w.close('Amt').close('OrgnlTxRef');
      }
      w.close('TxInfAndSts');
    });
    w.close('OrgnlPmtInfAndSts');
  }
  w.close('CstmrPmtStsRpt').close('Document');
  return w.toString();
}
