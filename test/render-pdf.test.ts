// The PDF renderer: text extracted with pdftotext (poppler-utils), volumes, refusals.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Column, type FormDocument, type Row, type Section, RenderError, formatAmountText } from '../reports/render/document.ts';
import { missingGlyphs } from '../reports/render/fonts.ts';
import { hyphenPoints } from '../reports/render/hyphen.ts';
import { renderPdf } from '../reports/render/pdf.ts';
import { SAMPLE_APPENDIX1_COLUMNS, sampleDocument, sampleTotals, syntheticAppendix1Rows } from '../reports/render/sample.ts';
import { NO_POPPLER_REASON, pdfPages, pdfText, poppler, squash } from './support/forms.ts';

if (!poppler) console.warn(`[render-pdf] ${NO_POPPLER_REASON}`);

const KAZAKH = 'әғқңөұүһіӘҒҚҢӨҰҮҺІ';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'render-pdf-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the bundled font', () => {
  it('has every Kazakh letter, both cases, and the typographic signs used', () => {
    expect(missingGlyphs(`${KAZAKH}ЁёЙй№«»—\u00a0`)).toEqual([]);
  });

  it('hyphenates long header words at syllable boundaries only', () => {
    const cut = (w: string) => hyphenPoints(w).map((p) => `${w.slice(0, p)}-${w.slice(p)}`);
    expect(cut('Гарантированная')).toContain('Гарантиро-ванная');
    expect(cut('обязательное')).toContain('обяза-тельное');
    for (const w of cut('подъезд')) expect(w).not.toMatch(/-[ъь]/);
    expect(hyphenPoints('ОСМС),')).toEqual([]); // no vowels to carry a syllable
  });
});

describe.skipIf(!poppler)('renderPdf: the sample list', () => {
  let files: string[];
  beforeAll(async () => {
    files = await renderPdf(sampleDocument(), dir, 'list', { personalData: true });
  });

  it('writes one file named <base>.pdf with mode 0600 and no temporary file', async () => {
    expect(files).toEqual([path.join(dir, 'list.pdf')]);
    expect((await stat(files[0])).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('starts each section on a new page with the label, «Форма», the title, its heading lines and its own page numbering (DOMAIN §6)', () => {
    expect(pdfPages(files[0])).toBe(2);
    for (const [page, mio] of [
      [1, 'г. Астаны'],
      [2, 'г. Алматы'],
    ] as const) {
      const text = pdfText(files[0], page);
      expect(squash(text)).toContain(
        'Список по актам выполненных работ на выплату возмещения стоимости услуг индивидуального помощника через Государственную корпорацию',
      );
      expect(text).toContain('Приложение 1');
      expect(squash(text)).toContain('к Алгоритму взаимодействия центральных государственных и');
      expect(text).toMatch(/^\s*Форма\s*$/m);
      expect(text).toContain('Месяц на выплату: апрель 2025 года');
      expect(text).toContain(`Подразделение: Управление занятости и социальных программ ${mio}`);
      expect(text.indexOf('Подразделение:')).toBeLessThan(text.indexOf('Месяц на выплату:'));
      expect(text).toContain('Страница 1 из 1');
    }
  });

  it('prints the Kazakh letters, the ИИН with its zero, the formula-looking text as it is', () => {
    const text = pdfText(files[0], 1);
    for (const ch of KAZAKH) expect(text, ch).toContain(ch);
    expect(text).toContain('Әбілқасымова');
    expect(text).toContain('ҢӨҰҮҺІӘ');
    expect(text).toContain('040512500013');
    expect(text).toMatch(/=SUM\(A1\)/);
    expect(text).toMatch(/\s-5\s/);
    expect(text).toMatch(/\s@x\s/);
  });

  it('prints the column numbers, amounts with grouped thousands, the totals, footer and signatures', () => {
    const text = pdfText(files[0], 1);
    expect(text).toMatch(/\b1\s+2\s+3\s+4\s+5\s+6\s+7\s+8\s+9\s+10\s+11\s+12\s+13\s+14\s+15\s+16\s+17\s+18\b/);
    expect(text).toContain('1 234 567,89');
    expect(text).toContain('03.04.2025');
    expect(text).toMatch(/Итого\s+1 363 268,38\s+1 199 676,17\s+136 326,84\s+27 265,37/);
    expect(squash(text)).toContain('Всего гарантированная сумма: Один миллион триста шестьдесят три тысячи двести шестьдесят восемь тенге 38 тиын');
    expect(text).toContain('НАО «Государственная корпорация «Правительство для граждан»');
    expect(text).toContain('(фамилия, имя, отчество (при его наличии), должность и подпись ответственного лица)');
  });

  it('embeds the font', () => {
    const r = spawnSync('pdffonts', [files[0]], { encoding: 'utf8' });
    expect(r.stdout).toMatch(/DejaVuSansCondensed-Bold\s/);
    expect(r.stdout).toMatch(/DejaVuSansCondensed\s+CID TrueType/);
    expect(r.stdout).not.toMatch(/\bno\s+no\b/); // every font embedded
  });
});

// Two sections of a small list, rows named so that each can be found in exactly one volume.
const COLS: Column[] = SAMPLE_APPENDIX1_COLUMNS;
function rowsFor(prefix: string, n: number): Row[] {
  return [...syntheticAppendix1Rows(n, prefix.length)].map((r, i) => ({ ...r, act_no: `${prefix}-${String(i + 1).padStart(3, '0')}` }));
}
function section(name: string, rows: Row[], source: Section['rows'] = rows, extra: Partial<Section> = {}): Section {
  return { name, heading: [`Подразделение: ${name}`], columns: COLS, numberRow: true, rows: source, totals: sampleTotals(rows), footer: [`Итого по ${name}`], ...extra };
}
function docOf(...sections: Section[]): FormDocument {
  return { form: 'Приложение 1 к Алгоритму взаимодействия', title: 'Список по актам', period: 'Месяц на выплату: апрель 2025 г.', orientation: 'landscape', sections };
}
async function* slowly(rows: Row[]): AsyncGenerator<Row> {
  for (const r of rows) {
    await new Promise((resolve) => setImmediate(resolve));
    yield r;
  }
}

describe.skipIf(!poppler)('renderPdf: volumes', () => {
  it('splits 7 + 5 rows at 5 per volume into three numbered volumes, each with «Том i из 3»', async () => {
    const out = await mkdtemp(path.join(dir, 'vol-'));
    const a = rowsFor('АСТ', 7);
    const b = rowsFor('АЛМ', 5);
    // the first section from an async cursor of unknown length (spooled), the second with rowCount
    const files = await renderPdf(docOf(section('Астана', a, slowly(a)), section('Алматы', b, slowly(b), { rowCount: 5 })), out, 'list', {
      maxRowsPerVolume: 5,
    });
    expect(files.map((f) => path.basename(f))).toEqual(['list_vol01.pdf', 'list_vol02.pdf', 'list_vol03.pdf']);
    const texts = files.map((f) => pdfText(f));
    texts.forEach((t, i) => {
      expect(t).toContain(`Том ${i + 1} из 3`);
      expect(t).toMatch(/Страница 1 из \d/);
      expect(t).toContain('Список по актам');
    });
    // every row in exactly one volume, in order
    const where = (act: string) => texts.map((t, i) => (t.includes(act) ? i + 1 : 0)).filter(Boolean);
    expect(a.map((r) => where(r.act_no as string))).toEqual([[1], [1], [1], [1], [1], [2], [2]]);
    expect(b.map((r) => where(r.act_no as string))).toEqual([[2], [2], [2], [3], [3]]);
    // the section that goes on says so; totals and footer only where a section ends
    expect(texts[1]).toContain('Подразделение: Астана\n');
    expect(texts[1]).toContain('(продолжение)');
    expect(texts[0]).not.toContain('Итого по Астана');
    expect(texts[1]).toContain('Итого по Астана');
    expect(texts[1]).not.toContain('Итого по Алматы');
    expect(texts[2]).toContain('Итого по Алматы');
    expect(texts[2]).toContain(formatAmountText(sampleTotals(b).guaranteed as string).replace(/\u00a0/g, ' '));
  });

  it('repeats the header rows on every page of a long section', async () => {
    const out = await mkdtemp(path.join(dir, 'long-'));
    const rows = rowsFor('ДЛН', 120);
    const [file] = await renderPdf(docOf(section('Астана', rows)), out, 'long');
    const pages = pdfPages(file);
    expect(pages).toBeGreaterThan(2);
    for (let p = 1; p <= pages; p++) {
      const text = pdfText(file, p);
      expect(text, `page ${p}`).toContain('ИИН ЛСИ');
      expect(text, `page ${p}`).toContain('Подразделение: Астана');
      expect(text, `page ${p}`).toContain(`Страница ${p} из ${pages}`);
    }
  });

  it('refuses a rowCount that lies, a bad row in a later volume, and leaves no file behind', async () => {
    const out = await mkdtemp(path.join(dir, 'bad-'));
    const rows = rowsFor('ПЛХ', 6);
    await expect(renderPdf(docOf(section('Астана', rows, slowly(rows), { rowCount: 5 })), out, 'lie', { maxRowsPerVolume: 2 })).rejects.toThrow(
      /rowCount says 5 rows but there are more/,
    );
    await expect(renderPdf(docOf(section('Астана', rows, slowly(rows), { rowCount: 7 })), out, 'lie', { maxRowsPerVolume: 2 })).rejects.toThrow(
      /rowCount says 7 rows but the rows ended after 6/,
    );
    const broken = rows.map((r, i) => (i === 5 ? { ...r, guaranteed: 100 } : r));
    await expect(renderPdf(docOf(section('Астана', rows, broken)), out, 'broken', { maxRowsPerVolume: 2 })).rejects.toThrow(RenderError);
    expect(await readdir(out)).toEqual([]);
  });
});
