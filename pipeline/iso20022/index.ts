// ISO 20022 payment messages, pure functions over plain objects (no database), one codec per file:
//   pain001-writer.ts   pain.001.001.09, the payment order ГК sends to a bank (buildPain001, writePain001)
//   pain002-parser.ts   pain.002.001.03–.10, a bank's status report read into returns (parsePain002)
//   pain002-builder.ts  pain.002.001.10 for the demo's returns, fixtures and tests (buildPain002)
//   xml.ts              the XML writer and reader they share
// (Reading a pain.001 back is a test's need: test/helpers/pain001-parser.ts.)
export { Iso20022FormatError } from '../kernel/errors.ts';
export * from './pain001-writer.ts';
export * from './pain002-parser.ts';
export * from './pain002-builder.ts';
