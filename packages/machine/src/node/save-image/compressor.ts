import { SaveImageError } from "@savevm/format";
import { findProgramInPath } from "@savevm/format/node";

const EXTERNAL_FORMATS = new Set(["bzip2", "xz", "lzop", "zstd"]);

/**
 * libvirt looks the compression program up before it starts a save or a restore, so a missing
 * one fails before the machine is touched; so do we, with libvirt's words.
 */
export async function requireCompressionProgram(format: string): Promise<void> {
  if (!EXTERNAL_FORMATS.has(format)) return;
  if ((await findProgramInPath(format)) === undefined) {
    throw new SaveImageError("COMPRESSOR_MISSING", `Compression program for ${format} image format in configuration file isn't available`);
  }
}
