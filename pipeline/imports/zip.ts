// Reading parts of an .xlsx (a ZIP archive) by name, through the archive's central directory:
// the workbook, its relationships, the shared strings and styles first, then the one sheet the
// import reads, streamed. (A single pass over the archive in stored order, as exceljs' streaming
// reader does, meets the parts in whatever order the writing program chose; LibreOffice and
// others store the workbook after the sheets.) Stored and deflated entries, ZIP64; an encrypted
// or otherwise unreadable archive is refused by the caller with the reason thrown here.
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { createInflateRaw } from 'node:zlib';

export class ZipError extends Error {}

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buf, 0, length, position);
  if (bytesRead !== length) throw new ZipError('архив обрывается раньше, чем указано в его оглавлении');
  return buf;
}

function u64(buf: Buffer, at: number): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError('размер в оглавлении архива вне допустимого');
  return Number(v);
}

export class ZipArchive {
  private constructor(
    private readonly file: string,
    readonly entries: Map<string, ZipEntry>,
  ) {}

  /** Reads the central directory of `file`. ZipError when it is not a readable ZIP archive. */
  static async open(file: string): Promise<ZipArchive> {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      const tailLength = Math.min(size, 22 + 0xffff);
      const tail = await readAt(handle, size - tailLength, tailLength);
      let at = -1;
      for (let i = tail.length - 22; i >= 0; i--) {
        if (tail.readUInt32LE(i) === EOCD) {
          at = i;
          break;
        }
      }
      if (at < 0) throw new ZipError('это не ZIP-архив (нет оглавления)');
      let count = tail.readUInt16LE(at + 10);
      let cdSize = tail.readUInt32LE(at + 12);
      let cdOffset = tail.readUInt32LE(at + 16);
      if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
        const locatorAt = size - tailLength + at - 20;
        const locator = locatorAt >= 0 ? await readAt(handle, locatorAt, 20) : null;
        if (!locator || locator.readUInt32LE(0) !== ZIP64_LOCATOR) throw new ZipError('повреждено оглавление ZIP64');
        const record = await readAt(handle, u64(locator, 8), 56);
        if (record.readUInt32LE(0) !== ZIP64_EOCD) throw new ZipError('повреждено оглавление ZIP64');
        count = u64(record, 32);
        cdSize = u64(record, 40);
        cdOffset = u64(record, 48);
      }
      if (cdOffset + cdSize > size) throw new ZipError('оглавление архива указывает за конец файла');
      const cd = await readAt(handle, cdOffset, cdSize);
      const entries = new Map<string, ZipEntry>();
      let p = 0;
      for (let n = 0; n < count; n++) {
        if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL) throw new ZipError('повреждено оглавление архива');
        const flags = cd.readUInt16LE(p + 8);
        const method = cd.readUInt16LE(p + 10);
        let compressedSize = cd.readUInt32LE(p + 20);
        let entrySize = cd.readUInt32LE(p + 24);
        const nameLength = cd.readUInt16LE(p + 28);
        const extraLength = cd.readUInt16LE(p + 30);
        const commentLength = cd.readUInt16LE(p + 32);
        let localHeaderOffset = cd.readUInt32LE(p + 42);
        const name = cd.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLength);
        // ZIP64: the sizes and offset that do not fit 32 bits are in the extra field, in this order.
        let e = p + 46 + nameLength;
        const extraEnd = e + extraLength;
        while (e + 4 <= extraEnd) {
          const id = cd.readUInt16LE(e);
          const length = cd.readUInt16LE(e + 2);
          if (id === 0x0001) {
            let q = e + 4;
            if (entrySize === 0xffffffff) {
              entrySize = u64(cd, q);
              q += 8;
            }
            if (compressedSize === 0xffffffff) {
              compressedSize = u64(cd, q);
              q += 8;
            }
            if (localHeaderOffset === 0xffffffff) localHeaderOffset = u64(cd, q);
          }
          e += 4 + length;
        }
        entries.set(name, { name, method, flags, compressedSize, size: entrySize, localHeaderOffset });
        p = extraEnd + commentLength;
      }
      return new ZipArchive(file, entries);
    } finally {
      await handle.close();
    }
  }

  /**
   * The entry's content as a stream. The content may not inflate to more than the directory says
   * (a "zip bomb" that lies about its size stops there).
   */
  async stream(entry: ZipEntry): Promise<Readable> {
    if (entry.flags & 0x1) throw new ZipError('архив зашифрован');
    if (entry.method !== 0 && entry.method !== 8) throw new ZipError(`неизвестный метод сжатия ${entry.method}`);
    const handle = await open(this.file, 'r');
    let dataStart: number;
    try {
      const local = await readAt(handle, entry.localHeaderOffset, 30);
      if (local.readUInt32LE(0) !== LOCAL) throw new ZipError(`повреждена часть ${entry.name}`);
      dataStart = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    } finally {
      await handle.close();
    }
    if (entry.compressedSize === 0) return Readable.from([]);
    const raw = createReadStream(this.file, { start: dataStart, end: dataStart + entry.compressedSize - 1 });
    let seen = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _enc, done) {
        seen += chunk.length;
        if (seen > entry.size) done(new ZipError(`часть ${entry.name} больше, чем указано в оглавлении архива`));
        else done(null, chunk);
      },
    });
    const content = entry.method === 8 ? raw.pipe(createInflateRaw()) : raw;
    const fail = (err: Error) => limit.destroy(err instanceof ZipError ? err : new ZipError(`повреждена часть ${entry.name}: ${err.message}`));
    raw.on('error', fail);
    if (content !== raw) content.on('error', fail);
    limit.on('close', () => raw.destroy());
    return content.pipe(limit);
  }

  /** The whole content of a (small) entry as text. */
  async text(entry: ZipEntry): Promise<string> {
    const parts: Buffer[] = [];
    for await (const chunk of await this.stream(entry)) parts.push(chunk as Buffer);
    return Buffer.concat(parts).toString('utf8');
  }
}
