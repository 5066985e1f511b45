/**
 * What a file holds and how to get at the migration stream inside it: a bare QEMU stream, the
 * same gzipped (`migrate "exec:gzip -c > FILE"` is QEMU's own documented idiom), or a libvirt
 * save image. Detection reads the first bytes only. The code for gzip and libvirt images is
 * loaded only for them: `savevm inspect` of a bare stream starts faster.
 */
import type { LibvirtSaveHeader } from "@savevm/format";
import { peekStream, QEMU_VM_FILE_MAGIC, type ByteSource } from "@savevm/format/reader";
import { fileReader, readHead, type Input } from "./input.js";
import { inputBar, withProgress, type ProgressOptions } from "./progress.js";

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
  stream: ByteSource;
  /** Offset of the stream's first byte in the file, when the stream is stored uncompressed. */
  baseOffset: number;
  libvirt?: LibvirtInfo;
  close(): Promise<void>;
}

const SNIFF_BYTES = 16;

async function gunzip(chunks: AsyncIterable<Uint8Array>): Promise<AsyncIterable<Uint8Array>> {
  const [{ createGunzip }, { Readable }] = await Promise.all([import("node:zlib"), import("node:stream")]);
  return Readable.from(chunks, { objectMode: false }).pipe(createGunzip());
}

/** Whether the bytes start with QEMU's file magic (`QEVM`). */
function isQemuStream(head: Uint8Array): boolean {
  return head.length >= 4 && new DataView(head.buffer, head.byteOffset, 4).getUint32(0) === QEMU_VM_FILE_MAGIC;
}

const noop = async (): Promise<void> => {};

/**
 * The container of a command's input, with a progress bar for a large one. When a regular file
 * holds the stream uncompressed (a bare QEMU stream, a raw libvirt save image), the stream is read
 * with blocking reads straight into the decoder's buffer (see fileReader); anything else as
 * chunks, through openContainer.
 */
export async function openInputContainer(input: Input, label: string, progress: ProgressOptions): Promise<OpenedContainer> {
  const path = input.path;
  if (path === undefined) return openContainer(withProgress(input.chunks, input.size, label, progress));
  if (isQemuStream(readHead(path, 4))) return readInPlace(path, { kind: "qemu", baseOffset: 0 }, input.size, label, progress);
  const opened = await openContainer(withProgress(input.chunks, input.size, label, progress));
  if (opened.libvirt?.header.format !== "raw") return opened;
  // Only the libvirt header and XML were needed from the chunks: the stream is read in place.
  await opened.close();
  return readInPlace(path, opened, input.size, label, progress);
}

/** `container` with its stream read from the file at `baseOffset` with blocking reads. */
function readInPlace(
  path: string,
  container: Omit<OpenedContainer, "stream" | "close">,
  size: number | undefined,
  label: string,
  progress: ProgressOptions,
): OpenedContainer {
  const bar = inputBar(size, label, progress);
  const stream = fileReader(path, {
    start: container.baseOffset,
    onRead: bar && ((at) => bar.update(at)),
    onClose: bar && (() => bar.finish()),
  });
  return { ...container, stream, close: async () => stream.close?.() };
}

export async function openContainer(chunks: AsyncIterable<Uint8Array>): Promise<OpenedContainer> {
  const peeked = await peekStream(chunks, (head) => head.length >= SNIFF_BYTES, SNIFF_BYTES);
  const { head } = peeked;
  const all = peeked.replay();
  if (head[0] === 0x1f && head[1] === 0x8b) {
    return { kind: "gzip", stream: await gunzip(all), baseOffset: 0, close: noop };
  }
  if (isQemuStream(head)) return { kind: "qemu", stream: all, baseOffset: 0, close: noop };
  const [{ readDomainIdentity, sniffLibvirtSaveImage }, { readSaveImage }] = await Promise.all([
    import("@savevm/format"),
    import("@savevm/format/node"),
  ]);
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
