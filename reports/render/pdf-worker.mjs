// Lays out and writes one PDF volume in a worker thread (see pdf.ts): pdfmake keeps the whole
// layout of a document in memory and V8 gives that memory back lazily, so each volume gets its own
// isolate, whose heap is freed as a whole when the worker ends. Plain JavaScript on purpose: it
// runs the same under tsx, vitest and compiled code. Input (workerData): the document definition
// without functions, the page header (or null) and footer and the table layout as data, the fonts, the file
// and its mode.
import { createWriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

const PdfPrinter = createRequire(import.meta.url)('pdfmake');
const { def, header, footer, fonts, tableLayout, file, mode } = workerData;

if (header) def.header = () => header;

const { lineWidth, padX, padY } = tableLayout;
const plainLayout = {
  hLineWidth: () => lineWidth,
  vLineWidth: () => lineWidth,
  hLineColor: () => '#000000',
  vLineColor: () => '#000000',
  paddingLeft: () => padX,
  paddingRight: () => padX,
  paddingTop: () => padY,
  paddingBottom: () => padY,
};
const tableLayouts = {
  // A table without a caption row (a form without heading lines).
  [`${tableLayout.name}-plain`]: plainLayout,
  [tableLayout.name]: {
    ...plainLayout,
    hLineWidth: (i) => (i === 0 ? 0 : lineWidth), // line 0 tops the caption row (the heading lines)
  },
};

// Each section (a top-level node of the content, see pdf.ts) numbers its pages on its own. The
// footer is laid out after the body, when pdfmake has given every node its positions: the first
// page of each section is where its node starts.
const sectionStarts = () =>
  def.content.map((node) => node.positions?.[0]?.pageNumber).filter((p) => Number.isInteger(p));
def.footer = (currentPage, pageCount) => {
  const starts = sectionStarts();
  let first = 1;
  let last = pageCount;
  for (let i = 0; i < starts.length; i++) {
    if (starts[i] <= currentPage) {
      first = starts[i];
      last = i + 1 < starts.length ? starts[i + 1] - 1 : pageCount;
    }
  }
  return {
    margin: footer.margin,
    fontSize: footer.fontSize,
    columns: [
      { text: footer.left, width: '*' },
      {
        text: footer.pageText.replace('{page}', String(currentPage - first + 1)).replace('{pages}', String(last - first + 1)),
        width: 'auto',
        alignment: 'right',
      },
    ],
  };
};

const pdf = new PdfPrinter(fonts).createPdfKitDocument(def, { tableLayouts });
const out = createWriteStream(file, { flags: 'wx', mode });
out.on('error', (err) => {
  throw err;
});
out.on('finish', () => parentPort.postMessage({ written: file }));
pdf.pipe(out);
pdf.end();
