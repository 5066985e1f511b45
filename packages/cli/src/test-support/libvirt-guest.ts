/**
 * The tiny domain of the libvirt interop tests: TCG, pc, no disks, no network, and a multiboot
 * kernel that fills a RAM range with a seeded pseudo-random pattern and then halts with interrupts
 * off. Once halted nothing writes guest RAM any more, so a `pmemsave` taken while the domain still
 * runs is exactly the RAM a save writes, and each seed tells its images apart.
 */
import { randomUUID } from "node:crypto";
import { multibootImage, xorshift32 } from "./guest-image.js";

export const LIBVIRT_GUEST_MIB = 32;
/** Where the pattern lies in guest RAM (4–6 MiB), above what SeaBIOS and the kernel touch. */
export const PATTERN_START = 0x400000;
export const PATTERN_END = 0x600000;
/** `hlt` of the halting loop: the kernel's entry point plus the fill loop before it. */
const LOAD_ENTRY = 0x100000 + 32;

function u32(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
}

/** `mov ebx,eax ; shl|shr ebx,n ; xor eax,ebx`: one step of xorshift32 on eax. */
function xorshiftStep(shiftModrm: number, n: number): number[] {
  return [0x89, 0xc3, 0xc1, shiftModrm, n, 0x31, 0xd8];
}
const SHL_EBX = 0xe3;
const SHR_EBX = 0xeb;

/**
 * 32-bit code:
 *   cld ; mov edi,start ; mov eax,seed
 * fill: xorshift32 of eax (13, 17, 5) through ebx ; stosd ; cmp edi,end ; jb fill
 *   cli
 * halt: hlt ; jmp halt
 */
function patternCode(seed: number): Uint8Array {
  const stosd = 0xab;
  const cmpEdi = [0x81, 0xff, ...u32(PATTERN_END)];
  const fill = [...xorshiftStep(SHL_EBX, 13), ...xorshiftStep(SHR_EBX, 17), ...xorshiftStep(SHL_EBX, 5), stosd, ...cmpEdi];
  const head = [0xfc, 0xbf, ...u32(PATTERN_START), 0xb8, ...u32(seed >>> 0 || 1)]; // cld ; mov edi,start ; mov eax,seed
  const jbFill = [0x72, -(fill.length + 2) & 0xff];
  const tail = [0xfa, 0xf4, 0xeb, 0xfd]; // cli ; hlt ; jmp back to the hlt
  return Uint8Array.from([...head, ...fill, ...jbFill, ...tail]);
}

/** Guest-physical address of the final `hlt`, to tell from `info registers` that the fill is done. */
export const HALT_ADDRESS = LOAD_ENTRY + patternCode(1).length - 3;

export function patternKernel(seed: number): Uint8Array {
  return multibootImage(patternCode(seed));
}

/** The pattern the kernel writes, computed here, to check that a RAM dump holds this guest's RAM. */
export function expectedPattern(seed: number): Uint8Array {
  const words = new Uint32Array((PATTERN_END - PATTERN_START) / 4);
  const next = xorshift32(seed);
  for (let i = 0; i < words.length; i++) words[i] = next();
  return new Uint8Array(words.buffer);
}

export interface TinyDomain {
  name: string;
  uuid: string;
  seed: number;
  /** Path of the kernel file the XML points at. */
  kernel: string;
  xml: string;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A transient-domain definition libvirt 9.0 accepts without disks, network, graphics or balloon. */
export function tinyDomainXml(options: { name: string; kernel: string; uuid?: string; seed: number }): TinyDomain {
  const uuid = options.uuid ?? randomUUID();
  const xml = [
    "<domain type='qemu'>",
    `  <name>${escapeXml(options.name)}</name>`,
    `  <uuid>${uuid}</uuid>`,
    `  <memory unit='MiB'>${LIBVIRT_GUEST_MIB}</memory>`,
    "  <vcpu>1</vcpu>",
    "  <os>",
    "    <type arch='x86_64' machine='pc'>hvm</type>",
    `    <kernel>${escapeXml(options.kernel)}</kernel>`,
    "  </os>",
    "  <on_poweroff>destroy</on_poweroff>",
    "  <devices>",
    "    <controller type='usb' model='none'/>",
    "    <memballoon model='none'/>",
    "  </devices>",
    "</domain>",
    "",
  ].join("\n");
  return { name: options.name, uuid, seed: options.seed, kernel: options.kernel, xml };
}
