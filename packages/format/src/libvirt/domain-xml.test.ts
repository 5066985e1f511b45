import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeXmlEntities, readDomainIdentity } from "./domain-xml.js";

const LIBVIRT_LIKE = `<?xml version="1.0"?>
<!-- written by virsh -->
<domain type='qemu' id='3'>
  <metadata><app:name xmlns:app="urn:x">not me</app:name></metadata>
  <description>a > b &amp; <![CDATA[ <name>nor me</name> ]]></description>
  <name>tiny&amp;small</name>
  <uuid>6f1c4a0e-1b2d-4c3e-8f9a-0b1c2d3e4f50</uuid>
  <memory unit='KiB'>32768</memory>
  <devices>
    <interface type='user'><name>deeper</name><source name='x>y'/></interface>
  </devices>
</domain>
`;

describe("readDomainIdentity", () => {
  it("finds the name and uuid children of <domain> and nothing deeper", () => {
    expect(readDomainIdentity(LIBVIRT_LIKE)).toEqual({
      name: "tiny&small",
      uuid: "6f1c4a0e-1b2d-4c3e-8f9a-0b1c2d3e4f50",
    });
  });

  it("takes CDATA text and numeric references, and trims whitespace", () => {
    expect(readDomainIdentity("<domain><name> <![CDATA[a<b]]>&#x263A;&#65; </name></domain>")).toEqual({ name: "a<b\u263aA" });
  });

  it("keeps the first of duplicated elements and ignores a self-closing one", () => {
    expect(readDomainIdentity("<domain><name/><name>one</name><name>two</name></domain>")).toEqual({ name: "one" });
  });

  it("returns nothing for a document that is not a domain", () => {
    expect(readDomainIdentity("<network><name>default</name></network>")).toEqual({});
    expect(readDomainIdentity("")).toEqual({});
    expect(readDomainIdentity("<domain><name>cut")).toEqual({});
  });

  it("never throws, whatever the input", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("<", ">", "/", "!", "?", "[", "]", "-", "'", '"', "domain", "name", "a", " ", "&", ";") }), (xml) => {
        const found = readDomainIdentity(xml);
        expect(typeof found).toBe("object");
      }),
    );
  });
});

describe("decodeXmlEntities", () => {
  it("decodes the predefined entities and character references, and leaves others alone", () => {
    expect(decodeXmlEntities("&lt;&gt;&amp;&quot;&apos;&#48;&#x31;&nbsp;&#xD800;&#1114112;")).toBe(`<>&"'01&nbsp;&#xD800;&#1114112;`);
  });
});
