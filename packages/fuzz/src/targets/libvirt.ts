import { FormatError, MemorySaveImageSink, readDomainIdentity, readSaveImage, SaveImageError, writeSaveImage } from "@savevm/format";
import { qemuStreams } from "../fixtures.js";
import { hasCode, type FuzzTarget } from "../target.js";

const MAX_XML = 64 * 1024;
/** Payload bytes the harness reads before it stops (closing the image early is under test too). */
const MAX_PAYLOAD = 1 << 20;

/** A domain as `virsh save` embeds it: what libvirt 9 writes for a small x86 guest. */
const DOMAIN_XML = `<domain type='kvm'>
  <name>fuzz-guest</name>
  <uuid>3f5e1b7a-9c2d-4e8f-a1b0-6d7c8e9f0a1b</uuid>
  <title>A &lt;small&gt; guest &amp; its &#x2603;</title>
  <memory unit='KiB'>131072</memory>
  <currentMemory unit='KiB'>131072</currentMemory>
  <vcpu placement='static'>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type>
    <boot dev='hd'/>
  </os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <serial type='pty'><target port='0'/></serial>
  </devices>
</domain>
`;

const COOKIE_XML = `<qemu-migration>
  <name>fuzz-guest</name>
  <uuid>3f5e1b7a-9c2d-4e8f-a1b0-6d7c8e9f0a1b</uuid>
  <hostname>host</hostname>
  <cpu mode='custom' match='exact' check='full'><model fallback='forbid'>qemu64</model></cpu>
</qemu-migration>
`;

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** libvirt's save image: header, domain XML and cookie areas, the (gzip) payload. */
export const libvirtTarget: FuzzTarget = {
  name: "libvirt",
  description: "@savevm/format readSaveImage (header, XML, cookie, raw/gzip payload) + readDomainIdentity",
  async seeds() {
    const stream = qemuStreams().get("pc-xen-devices.mig.gz")!;
    const seeds: Uint8Array[] = [];
    for (const format of ["raw", "gzip"] as const) {
      for (const cookieXml of [undefined, COOKIE_XML]) {
        const sink = new MemorySaveImageSink();
        await writeSaveImage(sink, { domainXml: DOMAIN_XML, cookieXml, wasRunning: true, format, padding: 64 }, once(stream));
        seeds.push(sink.bytes());
      }
    }
    return seeds;
  },
  async run(input) {
    const image = await readSaveImage(input, { maxXmlBytes: MAX_XML });
    readDomainIdentity(image.domainXml);
    if (image.cookieXml !== undefined) readDomainIdentity(image.cookieXml);
    let read = 0;
    for await (const chunk of image.stream) {
      read += chunk.length;
      if (read >= MAX_PAYLOAD) break;
    }
  },
  expected: (error) => hasCode(error, [SaveImageError, FormatError]),
  // gunzip's output chunks, the XML limit, and the header.
  maxAllocation: 256 * 1024,
  maxInput: 64 * 1024,
  dictionary: [
    "LibvirtQemudSave",
    "LibvirtQemudPart",
    "\x00\x00\x00\x02",
    "\x00\x00\x00\x01",
    "<domain",
    "</domain>",
    "<name>",
    "</name>",
    "<uuid>",
    "</uuid>",
    "&amp;",
    "&#x",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "\x1f\x8b\x08",
  ],
};
