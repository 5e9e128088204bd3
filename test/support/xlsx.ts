/**
 * What the tests read an .xlsx with: its zip entries as text (an xlsx is a zip of XML parts; the
 * secret scan searches them unzipped), and its sheets as typed cells through exceljs's reader —
 * not the streaming writer the product uses, so a test reads the file as a separate reader would.
 */
import { readFile } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';

/** ZIP's end-of-central-directory record signature (APPNOTE.TXT 4.3.16). */
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;

/** Every entry of a zip file, by name, as UTF-8 text. */
export async function unzipText(path: string): Promise<Map<string, string>> {
  const zip = await readFile(path);
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== END_OF_CENTRAL_DIRECTORY) end -= 1;
  if (end < 0) throw new Error(`${path} is not a zip file`);
  const entries = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const files = new Map<string, string>();
  for (let index = 0; index < entries; index += 1) {
    if (zip.readUInt32LE(at) !== CENTRAL_DIRECTORY_HEADER) throw new Error(`${path}: damaged central directory`);
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localHeader = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    if (zip.readUInt32LE(localHeader) !== LOCAL_FILE_HEADER) throw new Error(`${path}: damaged entry ${name}`);
    const dataStart = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
    const data = zip.subarray(dataStart, dataStart + compressedSize);
    if (method !== STORED && method !== DEFLATED) throw new Error(`${path}: entry ${name} uses compression method ${String(method)}`);
    files.set(name, (method === DEFLATED ? inflateRawSync(data) : data).toString('utf8'));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return files;
}

export type CellValue = string | number | boolean | Date | null;

export interface Sheet {
  readonly name: string;
  /** Row 1 is the header. */
  readonly rows: readonly (readonly CellValue[])[];
  /** The frozen rows at the top (the view's ySplit). */
  readonly frozenRows: number;
  /** The filter's range, e.g. `A1:Z13`; null without one. */
  readonly autoFilter: string | null;
}

/** Every worksheet, in workbook order, read back with exceljs's (non-streaming) reader. */
export async function readWorkbook(path: string): Promise<Sheet[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  return workbook.worksheets.map((worksheet) => {
    const rows: CellValue[][] = [];
    worksheet.eachRow({ includeEmpty: true }, (row, number) => {
      const values: CellValue[] = [];
      for (let column = 1; column <= worksheet.columnCount; column += 1) values.push(cellValue(row.getCell(column).value));
      rows[number - 1] = values;
    });
    const view = worksheet.views[0];
    const filter = worksheet.autoFilter;
    return {
      name: worksheet.name,
      rows,
      frozenRows: view?.state === 'frozen' ? view.ySplit ?? 0 : 0,
      autoFilter: typeof filter === 'string' ? filter : null,
    };
  });
}

function cellValue(value: ExcelJS.CellValue): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value instanceof Date) return value;
  throw new Error(`unexpected cell value ${JSON.stringify(value)}: the report writes plain values only`);
}

/** The rows of a sheet as objects keyed by its header. */
export function recordsOf(sheet: Sheet): Record<string, CellValue>[] {
  const [header = [], ...rows] = sheet.rows;
  return rows.map((row) => Object.fromEntries(header.map((name, index) => [String(name), row[index] ?? null])));
}
