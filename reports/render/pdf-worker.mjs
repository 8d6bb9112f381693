// Lays out and writes one PDF volume in a worker thread (see pdf.ts): pdfmake keeps the whole
// layout of a document in memory and V8 gives that memory back lazily, so each volume gets its own
// isolate, whose heap is freed as a whole when the worker ends. Plain JavaScript on purpose: it
// runs the same under tsx, vitest and compiled code. Input (workerData): the document definition
// without functions, the page header and footer and the table layout as data, the fonts, the file
// and its mode.
import { createWriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

const PdfPrinter = createRequire(import.meta.url)('pdfmake');
const { def, header, footer, fonts, tableLayout, file, mode } = workerData;

const { lineWidth, padX, padY } = tableLayout;
const tableLayouts = {
  [tableLayout.name]: {
    hLineWidth: (i) => (i === 0 ? 0 : lineWidth), // line 0 tops the caption row (the heading lines)
    vLineWidth: () => lineWidth,
    hLineColor: () => '#000000',
    vLineColor: () => '#000000',
    paddingLeft: () => padX,
    paddingRight: () => padX,
    paddingTop: () => padY,
    paddingBottom: () => padY,
  },
};

def.header = () => header;
def.footer = (currentPage, pageCount) => ({
  margin: footer.margin,
  fontSize: footer.fontSize,
  columns: [
    { text: footer.left, width: '*' },
    {
      text: footer.pageText.replace('{page}', String(currentPage)).replace('{pages}', String(pageCount)),
      width: 'auto',
      alignment: 'right',
    },
  ],
});

const pdf = new PdfPrinter(fonts).createPdfKitDocument(def, { tableLayouts });
const out = createWriteStream(file, { flags: 'wx', mode });
out.on('error', (err) => {
  throw err;
});
out.on('finish', () => parentPort.postMessage({ written: file }));
pdf.pipe(out);
pdf.end();
