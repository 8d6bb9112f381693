// Reads a pain.001.001.09 back into the message, for the tests that check what the pipeline
// wrote (pipeline/iso20022/pain001-writer.ts writes it). Only tests read pain.001.
import { Iso20022FormatError } from '../../pipeline/kernel/errors.ts';
import { PAIN001_NAMESPACE, type Pain001Message, type Pain001Transaction } from '../../pipeline/iso20022/pain001-writer.ts';
import { at, attr, child, children, rawText, readDocument, type XmlNode } from '../../pipeline/iso20022/xml.ts';

/** A pain.001 read back: the message plus the control figures exactly as the XML states them. */
export interface ParsedPain001 extends Pain001Message {
  control: {
    groupNbOfTxs: string;
    groupCtrlSum: string;
    paymentNbOfTxs: string;
    paymentCtrlSum: string;
  };
}

function requiredAt(node: XmlNode | undefined, what: string, ...path: string[]): string {
  const n = at(node, ...path);
  if (n === undefined) throw new Iso20022FormatError(`pain.001: нет элемента ${what}${path.join('/')}`);
  return rawText(n);
}

/**
 * Reads a pain.001.001.09 back into the message (for tests and verification). The control
 * figures are returned as written, not checked; the КНП in RmtInf/Ustrd must agree with Purp.
 */
export function parsePain001(xml: string): ParsedPain001 {
  const { document, namespace } = readDocument(xml, 'pain.001');
  if (namespace !== PAIN001_NAMESPACE) {
    throw new Iso20022FormatError(
      `pain.001: неизвестное пространство имён «${namespace}», ожидается ${PAIN001_NAMESPACE}`,
    );
  }
  const root = child(document, 'CstmrCdtTrfInitn');
  if (root === undefined) throw new Iso20022FormatError('pain.001: нет элемента CstmrCdtTrfInitn');
  const grp = child(root, 'GrpHdr');
  const pmtInfs = children(root, 'PmtInf');
  if (pmtInfs.length !== 1) {
    throw new Iso20022FormatError(`pain.001: ожидается один блок PmtInf, найдено ${pmtInfs.length}`);
  }
  const pmt = pmtInfs[0];

  const transactions = children(pmt, 'CdtTrfTxInf').map((tx, i): Pain001Transaction => {
    const where = `CdtTrfTxInf[${i + 1}]/`;
    const amountNode = at(tx, 'Amt', 'InstdAmt');
    const ccy = attr(amountNode, 'Ccy');
    if (ccy !== 'KZT') throw new Iso20022FormatError(`pain.001: операция ${i + 1}: валюта «${ccy ?? ''}», ожидается KZT`);
    const id = child(tx, 'Cdtr');
    const idChoice = at(id, 'Id', 'OrgId') ?? at(id, 'Id', 'PrvtId');
    const ustrd = requiredAt(tx, where, 'RmtInf', 'Ustrd');
    const knp = requiredAt(tx, where, 'Purp', 'Prtry');
    const m = /^(?:([\s\S]*) )?КНП (\d{3}) КБе (\d{2})$/.exec(ustrd);
    if (!m) throw new Iso20022FormatError(`pain.001: операция ${i + 1}: в назначении платежа нет кодов «КНП … КБе …»`);
    if (m[2] !== knp) {
      throw new Iso20022FormatError(`pain.001: операция ${i + 1}: КНП в назначении (${m[2]}) не совпадает с Purp (${knp})`);
    }
    return {
      endToEndId: requiredAt(tx, where, 'PmtId', 'EndToEndId'),
      amount: rawText(amountNode),
      creditor: {
        name: requiredAt(tx, where, 'Cdtr', 'Nm'),
        idNumber: requiredAt(idChoice, `${where}Cdtr/Id/(OrgId|PrvtId)/`, 'Othr', 'Id'),
        iban: requiredAt(tx, where, 'CdtrAcct', 'Id', 'IBAN'),
        bik: requiredAt(tx, where, 'CdtrAgt', 'FinInstnId', 'BICFI'),
        kbe: m[3],
      },
      remittance: m[1] ?? '',
      knp,
    };
  });

  return {
    messageId: requiredAt(grp, 'GrpHdr/', 'MsgId'),
    createdAt: requiredAt(grp, 'GrpHdr/', 'CreDtTm'),
    initiatingParty: {
      name: requiredAt(grp, 'GrpHdr/', 'InitgPty', 'Nm'),
      bin: requiredAt(grp, 'GrpHdr/', 'InitgPty', 'Id', 'OrgId', 'Othr', 'Id'),
    },
    debtor: {
      name: requiredAt(pmt, 'PmtInf/', 'Dbtr', 'Nm'),
      bin: requiredAt(pmt, 'PmtInf/', 'Dbtr', 'Id', 'OrgId', 'Othr', 'Id'),
      iban: requiredAt(pmt, 'PmtInf/', 'DbtrAcct', 'Id', 'IBAN'),
      bik: requiredAt(pmt, 'PmtInf/', 'DbtrAgt', 'FinInstnId', 'BICFI'),
    },
    paymentInfoId: requiredAt(pmt, 'PmtInf/', 'PmtInfId'),
    requestedExecutionDate: requiredAt(pmt, 'PmtInf/', 'ReqdExctnDt', 'Dt'),
    purposeKnp: requiredAt(pmt, 'PmtInf/', 'PmtTpInf', 'CtgyPurp', 'Prtry'),
    transactions,
    control: {
      groupNbOfTxs: requiredAt(grp, 'GrpHdr/', 'NbOfTxs'),
      groupCtrlSum: requiredAt(grp, 'GrpHdr/', 'CtrlSum'),
      paymentNbOfTxs: requiredAt(pmt, 'PmtInf/', 'NbOfTxs'),
      paymentCtrlSum: requiredAt(pmt, 'PmtInf/', 'CtrlSum'),
    },
  };
}
