/**
 * Builds the inputs for a tiny, deterministic x86 guest under real QEMU:
 * a multiboot kernel (QEMU's `-kernel` loads it in 32-bit protected mode with flat segments)
 * that keeps rewriting the first word of a range of pages, and a data blob that a
 * `-device loader` places in RAM so streams carry every page kind (random, uniform, duplicate).
 */

const MULTIBOOT_MAGIC = 0x1badb002;
/** Bit 16: the header carries load addresses, so the kernel is a flat binary, not an ELF. */
const MULTIBOOT_AOUT_KLUDGE = 0x00010000;
const LOAD_ADDRESS = 0x100000;
const HEADER_SIZE = 32;

export interface DirtyLoop {
  /** First guest-physical byte the loop writes. */
  start: number;
  /** One past the last byte; the loop strides one 4 KiB page at a time. */
  end: number;
}

function u32le(view: DataView, offset: number, value: number): void {
  view.setUint32(offset, value >>> 0, true);
}

/**
 * The loop, as 32-bit machine code:
 *   xor ecx,ecx
 * outer: mov edi,start
 * inner: mov [edi],ecx ; invlpg [edi] ; add edi,0x1000 ; cmp edi,end ; jb inner
 *   inc ecx ; jmp outer
 * Paging is off, so invlpg changes nothing for the guest; under TCG it drops the page's TLB
 * entry, so the next write takes the slow path that marks the page dirty again.
 */
function loopCode(loop: DirtyLoop): Uint8Array {
  const code = new Uint8Array(29);
  const view = new DataView(code.buffer);
  code.set([0x31, 0xc9], 0);
  code[2] = 0xbf;
  u32le(view, 3, loop.start);
  code.set([0x89, 0x0f], 7);
  code.set([0x0f, 0x01, 0x3f], 9);
  code.set([0x81, 0xc7], 12);
  u32le(view, 14, 0x1000);
  code.set([0x81, 0xff], 18);
  u32le(view, 20, loop.end);
  code.set([0x72, 0xed], 24); // jb inner (offset 7)
  code[26] = 0x41; // inc ecx
  code.set([0xeb, 0xe5], 27); // jmp outer (offset 2)
  return code;
}

export function multibootKernel(loop: DirtyLoop = { start: 0x400000, end: 0x500000 }): Uint8Array {
  return multibootImage(loopCode(loop));
}

/** A flat multiboot image that QEMU's `-kernel` loads at 1 MiB and enters at `code`'s first byte. */
export function multibootImage(code: Uint8Array): Uint8Array {
  const image = new Uint8Array(HEADER_SIZE + code.length);
  const view = new DataView(image.buffer);
  u32le(view, 0, MULTIBOOT_MAGIC);
  u32le(view, 4, MULTIBOOT_AOUT_KLUDGE);
  u32le(view, 8, -(MULTIBOOT_MAGIC + MULTIBOOT_AOUT_KLUDGE));
  u32le(view, 12, LOAD_ADDRESS); // header_addr: the header sits at the start of the image
  u32le(view, 16, LOAD_ADDRESS); // load_addr
  u32le(view, 20, 0); // load_end_addr 0: load the whole file
  u32le(view, 24, 0); // bss_end_addr 0: no bss
  u32le(view, 28, LOAD_ADDRESS + HEADER_SIZE); // entry
  image.set(code, HEADER_SIZE);
  return image;
}

/** A deterministic xorshift generator, so every run places the same bytes. */
export function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

export interface BlobLayout {
  random: number;
  uniform: number;
  duplicate: number;
  zero: number;
}

/** Pages in order: random, uniform (fill 0xaa + index), duplicates of the random ones, zero. */
export function mixedBlob(layout: BlobLayout, pageSize = 4096, seed = 7): Uint8Array {
  const pages = layout.random + layout.uniform + layout.duplicate + layout.zero;
  const blob = new Uint8Array(pages * pageSize);
  const next = xorshift32(seed);
  const words = new Uint32Array(blob.buffer, 0, (layout.random * pageSize) / 4);
  for (let i = 0; i < words.length; i++) words[i] = next();
  let page = layout.random;
  for (let i = 0; i < layout.uniform; i++, page++) {
    blob.fill((0xaa + i) & 0xff, page * pageSize, (page + 1) * pageSize);
  }
  for (let i = 0; i < layout.duplicate; i++, page++) {
    const source = (i % Math.max(1, layout.random)) * pageSize;
    blob.copyWithin(page * pageSize, source, source + pageSize);
  }
  return blob;
}
