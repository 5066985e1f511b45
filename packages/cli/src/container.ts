/**
 * What a file holds and how to get at the migration stream inside it: a bare QEMU stream, the
 * same gzipped (`migrate "exec:gzip -c > FILE"` is QEMU's own documented idiom), or a libvirt
 * save image. Detection reads the first bytes only; nothing is seeked.
 */
import { createGunzip } from "node:zlib";
import { Readable } from "node:stream";
import { readDomainIdentity, sniffLibvirtSaveImage, type LibvirtSaveHeader } from "@savevm/format";
import { readSaveImage } from "@savevm/format/node";

export type ContainerKind = "qemu" | "gzip" | "libvirt";

export interface LibvirtInfo {
  header: LibvirtSaveHeader;
  domainXml: string;
  cookieXml: string | undefined;
  name: string | undefined;
  uuid: string | undefined;
  payloadOffset: number;
}

export interface OpenedContainer {
  kind: ContainerKind;
  /** The migration stream's bytes. */
  stream: AsyncIterable<Uint8Array>;
  /** Offset of the stream's first byte in the file, when the stream is stored uncompressed. */
  baseOffset: number;
  libvirt?: LibvirtInfo;
  close(): Promise<void>;
}

const SNIFF_BYTES = 16;

/** Reads until `n` bytes are seen, then replays them ahead of the rest. */
async function peek(chunks: AsyncIterable<Uint8Array>, n: number): Promise<{ head: Uint8Array; all: AsyncIterable<Uint8Array> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const seen: Uint8Array[] = [];
  let length = 0;
  let ended = false;
  while (length < n) {
    const step = await iterator.next();
    if (step.done) {
      ended = true;
      break;
    }
    seen.push(step.value);
    length += step.value.length;
  }
  const head = new Uint8Array(Math.min(n, length));
  let at = 0;
  for (const chunk of seen) {
    if (at >= head.length) break;
    const part = chunk.subarray(0, head.length - at);
    head.set(part, at);
    at += part.length;
  }
  const all = (async function* () {
    yield* seen;
    if (ended) return;
    for (;;) {
      const step = await iterator.next();
      if (step.done) return;
      yield step.value;
    }
  })();
  return { head, all };
}

function gunzip(chunks: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  return Readable.from(chunks, { objectMode: false }).pipe(createGunzip());
}

export async function openContainer(chunks: AsyncIterable<Uint8Array>): Promise<OpenedContainer> {
  const { head, all } = await peek(chunks, SNIFF_BYTES);
  const noop = async () => {};
  if (head[0] === 0x1f && head[1] === 0x8b) {
    return { kind: "gzip", stream: gunzip(all), baseOffset: 0, close: noop };
  }
  if (head.length >= SNIFF_BYTES && sniffLibvirtSaveImage(head) !== null) {
    const image = await readSaveImage(all);
    const identity = readDomainIdentity(image.domainXml);
    return {
      kind: "libvirt",
      stream: image.stream,
      baseOffset: image.header.format === "raw" ? image.payloadOffset : 0,
      libvirt: {
        header: image.header,
        domainXml: image.domainXml,
        cookieXml: image.cookieXml,
        name: identity.name,
        uuid: identity.uuid,
        payloadOffset: image.payloadOffset,
      },
      close: () => image.stream.close(),
    };
  }
  return { kind: "qemu", stream: all, baseOffset: 0, close: noop };
}
