import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvCell, csvLine, neutraliseCell } from '../../../src/report/csv-cells.js';

describe('formula injection', () => {
  it('prefixes a cell a spreadsheet would run as a formula with an apostrophe', () => {
    for (const value of ['=cmd|\' /C calc\'!A0', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1', '＝1+1']) {
      expect(neutraliseCell(value), value).toBe(`'${value}`);
    }
  });

  it('keeps a phone number readable: it becomes text with a visible apostrophe', () => {
    expect(csvCell('+1 ••••••0100')).toBe("'+1 ••••••0100");
  });

  it('doubles a leading apostrophe, so removing one always gives the value back', () => {
    expect(neutraliseCell("'quoted")).toBe("''quoted");
  });

  it('leaves ordinary cells alone', () => {
    for (const value of ['alice@contoso.com', 'CONTOSO\\carol', 'a=b', '1-2', '']) expect(csvCell(value), value).toBe(value);
  });
});

describe('RFC 4180 quoting', () => {
  it('quotes fields with commas, quotes, line breaks or edge spaces, doubling quotes', () => {
    expect(csvCell('Quinn, Jr.')).toBe('"Quinn, Jr."');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(' padded ')).toBe('" padded "');
  });

  it('ends records with CRLF and reads back to the same values (minus the neutralising apostrophe)', () => {
    const values = ['=HYPERLINK("http://x")', 'a,b', 'line\r\nbreak', '"', '+44 ••••••0123', 'plain'];
    const line = csvLine(values);
    expect(line.endsWith('\r\n')).toBe(true);
    const [record] = parse(line);
    expect(record?.map((cell) => (cell.startsWith("'") ? cell.slice(1) : cell))).toEqual(values);
  });
});
