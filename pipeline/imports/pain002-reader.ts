// ISO 20022 pain.002 (returns only): the rejected transactions (RJCT) become rows of the
// `returns` columns; the others are reported as skipped. An unreadable message is UsageError
// (Iso20022FormatError) from parsePain002.
import { readFile } from 'node:fs/promises';
import { UsageError } from '../kernel/errors.ts';
import { parsePain002 } from '../iso20022/index.ts';
import { notUtf8Reason } from './encoding.ts';
import type { Source, SourceRow } from './source.ts';

export const PAIN002_COLUMNS = ['payment_ref', 'amount', 'returned_on', 'reason_code', 'reason_text', 'message_id'];

export async function openPain002(file: string, fileLabel: string): Promise<Source> {
  const bytes = await readFile(file);
  const notUtf8 = notUtf8Reason(bytes, fileLabel, 'pain.002');
  if (notUtf8) throw new UsageError(notUtf8);
  const xml = new TextDecoder('utf-8').decode(bytes);
  if (xml.trim() === '') throw new UsageError(`Файл ${fileLabel} пуст`);
  const report = parsePain002(xml);
  async function* rows(): AsyncGenerator<SourceRow> {
    for (const r of report.rows) {
      yield {
        rowNo: r.rowNo,
        values: {
          payment_ref: r.payment_ref,
          amount: r.amount,
          returned_on: r.returned_on,
          reason_code: r.reason_code,
          reason_text: r.reason_text,
          message_id: report.originalMessageId,
        },
      };
    }
  }
  return {
    format: 'xml',
    columns: PAIN002_COLUMNS,
    rows: rows(),
    skipped: report.skipped.map((s) => ({ rowNo: s.rowNo, ref: s.payment_ref, status: s.status })),
    close: async () => {},
  };
}
