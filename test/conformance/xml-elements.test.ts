/** The small XML reader the CSDL is read with: the subset Microsoft's files use, and loud refusal of the rest. */
import { describe, expect, it } from 'vitest';
import { readXml } from './csdl/xml-elements.js';

describe('readXml', () => {
  it('reads elements, attributes with entities and ">" inside, comments and text', () => {
    const root = readXml('\uFEFF<?xml version="1.0"?>\n<!-- c --><edmx:Edmx V="4.0"><A Name="x &amp; y" Op="a > b"/><B>t &lt;1&gt;</B></edmx:Edmx>');
    expect(root.name).toBe('Edmx');
    expect(root.children.map((child) => [child.name, child.attributes, child.text])).toEqual([
      ['A', { Name: 'x & y', Op: 'a > b' }, ''],
      ['B', {}, 't <1>'],
    ]);
  });

  it('refuses what is outside the subset or broken', () => {
    expect(() => readXml('<a><![CDATA[x]]></a>')).toThrow(/CDATA/);
    expect(() => readXml('<a><b></a>')).toThrow(/closes/);
    expect(() => readXml('<a x=1/>')).toThrow(/attributes/);
    expect(() => readXml('<a/><b/>')).toThrow(/more than one root/);
    expect(() => readXml('<a>&nbsp;</a>')).toThrow(/unknown entity/);
  });
});
