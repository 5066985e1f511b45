/**
 * `savevm convert IN OUT`: decode every record and encode it again. With no options the output
 * is byte-identical to the input's migration stream (and, for a raw libvirt image, to the whole
 * image); options change the container around the stream.
 */
import type { Command } from "commander";
import { Option } from "commander";
import { readFile } from "node:fs/promises";
import { MigrationStreamWriter, readMigrationStream, SAVE_IMAGE_FORMATS, type MigrationRecord, type SaveImageFormat } from "@savevm/format";
import { saveImageToFile } from "@savevm/format/node";
import { openInput } from "../input.js";
import { openContainer, type OpenedContainer } from "../container.js";
import { replaceFile, type ReplacingFile } from "../output-file.js";
import { withProgress } from "../progress.js";
import { namingFile, UsageError } from "../cli-error.js";
import { mayBeMappedRam } from "./mapped-ram-sniff.js";
import { addProgressOptions, progressOptions, type ProgressFlags } from "./progress-options.js";
import { addStreamOptions, streamOptions, type StreamFlags } from "./stream-options.js";

interface ConvertFlags extends StreamFlags, ProgressFlags {
  to?: "same" | "qemu" | "stream" | "libvirt" | "mapped-ram";
  imageFormat?: SaveImageFormat;
  domainXml?: string;
  running?: boolean;
  paused?: boolean;
}

export function registerConvert(program: Command): void {
  const command = program
    .command("convert")
    .description("decode a stream or save image and encode it again (byte-identical unless options change the container)")
    .argument("<in>", "input file, or - for standard input")
    .argument("<out>", "output file (written to a temporary name, then renamed), or - for standard output")
    .addOption(new Option("--to <container>", "container of the output").choices(["same", "qemu", "stream", "libvirt", "mapped-ram"]).default("same"))
    .addOption(new Option("--image-format <format>", "compression of a libvirt save image").choices([...SAVE_IMAGE_FORMATS]))
    .option("--domain-xml <file>", "domain XML for a libvirt save image made from a bare stream")
    .option("--running", "mark the libvirt save image as saved from a running domain")
    .option("--paused", "mark the libvirt save image as saved from a paused domain");
  addProgressOptions(addStreamOptions(command)).action(async (input: string, output: string, flags: ConvertFlags) => {
    if (flags.running && flags.paused) throw new UsageError("--running and --paused are mutually exclusive");
    await convert(input, output, flags);
  });
}

/** The records of `records`, encoded again, in chunks of about 256 KiB. */
async function* encodeRecords(records: AsyncIterable<MigrationRecord>): AsyncGenerator<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const writer = new MigrationStreamWriter(chunks);
  for await (const rec of records) {
    writer.write(rec);
    if (chunks.length > 0) yield* chunks.splice(0);
  }
  await writer.close();
  yield* chunks.splice(0);
}

async function libvirtOptions(container: OpenedContainer, flags: ConvertFlags) {
  const source = container.libvirt;
  const domainXml = flags.domainXml ? await readFile(flags.domainXml, "utf8") : source?.domainXml;
  if (domainXml === undefined) throw new UsageError("--to libvirt needs --domain-xml FILE when the input is not a libvirt save image");
  const wasRunning = flags.running ? true : flags.paused ? false : (source?.header.wasRunning ?? false);
  const format = flags.imageFormat ?? source?.header.format ?? "raw";
  const sameArea = source && !flags.domainXml;
  return {
    domainXml,
    ...(sameArea && source.cookieXml !== undefined ? { cookieXml: source.cookieXml } : {}),
    wasRunning,
    format,
    ...(sameArea ? { padding: source.header.dataLen - utf8Length(source.domainXml) - 1 - (source.cookieXml === undefined ? 0 : utf8Length(source.cookieXml) + 1) } : {}),
  };
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

async function convert(inputPath: string, outputPath: string, flags: ConvertFlags): Promise<void> {
  // A mapped-ram input is read at fixed offsets; the mapped-ram code loads only when it is involved.
  const mappedRam = mayBeMappedRam(inputPath) || flags.to === "mapped-ram" ? await import("./mapped-ram-io.js") : undefined;
  const mapped = await mappedRam?.openMappedRamInput(inputPath);
  const input = await openInput(inputPath);
  const container = await openContainer(withProgress(input.chunks, input.size, "convert", progressOptions(flags)));
  const same = mapped ? "mapped-ram" : container.kind === "libvirt" ? "libvirt" : "qemu";
  const target = flags.to === "same" || flags.to === undefined ? same : flags.to === "stream" ? "qemu" : flags.to;
  if (flags.imageFormat && target !== "libvirt") throw new UsageError("--image-format applies to --to libvirt only");
  const records = mapped
    ? mappedRam!.mappedRamRecords(mapped, streamOptions(flags, 0), target !== "mapped-ram")
    : readMigrationStream(container.stream, streamOptions(flags, container.baseOffset));
  const bytes = encodeRecords(records);

  try {
    if (target === "mapped-ram") {
      await mappedRam!.writeMappedRamOutput(records, outputPath);
      return;
    }
    if (target === "libvirt") {
      if (outputPath === "-") throw new UsageError("a libvirt save image is written to a file (its header is rewritten last), not to standard output");
      await saveImageToFile(outputPath, await libvirtOptions(container, flags), bytes).catch((err: unknown) => {
        throw namingFile(err, outputPath);
      });
      return;
    }
    const out: ReplacingFile | undefined = outputPath === "-" ? undefined : await replaceFile(outputPath);
    try {
      for await (const chunk of bytes) {
        if (out) await out.write(chunk);
        else await writeStdout(chunk);
      }
      await out?.commit();
    } catch (err) {
      await out?.abort();
      throw err;
    }
  } finally {
    await container.close();
    await mapped?.close();
  }
}

function writeStdout(chunk: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(chunk, (err) => (err ? reject(err) : resolve()));
  });
}
