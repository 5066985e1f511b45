import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { runStateFromFlags, saveToImage, splitShellWords, type SaveFormat } from "@savevm/machine/node";
import { UsageError } from "../cli-error.js";
import { jobProgress } from "./save-progress.js";
import { withSignalAbort } from "./save-signals.js";

interface SaveOptions {
  running?: boolean;
  paused?: boolean;
  format: string;
  xml?: string;
  bypassCache?: boolean;
  verbose?: boolean;
  pid?: string;
  qemuCmdline?: string;
  runtimeDir?: string;
}

const FORMATS: readonly SaveFormat[] = ["raw", "gzip", "bzip2", "xz", "lzop", "zstd"];

/** `savevm save TARGET FILE`: `virsh save` for savevm machines and QEMU processes. */
export function registerSave(program: Command): void {
  program
    .command("save")
    .description("save a running machine into a libvirt save image and end it, as virsh save does")
    .argument(
      "<target>",
      "machine name, UUID or id from 'savevm list'; or unix:PATH / tcp:HOST:PORT (QMP); or hmp:unix:PATH / hmp:tcp:HOST:PORT",
    )
    .argument("<file>", "the image to write (appears only when complete; mode 0600)")
    .option("--running", "restore into a running machine, whatever its state now")
    .option("--paused", "restore into a paused machine, whatever its state now")
    .option("--format <format>", `compression: ${FORMATS.join(", ")} (external programs, as libvirt runs them)`, "raw")
    .option("--xml <file>", "store this domain XML instead of the generated one")
    .option("--bypass-cache", "write the image with O_DIRECT")
    .option("--verbose", "show progress: Save: [ 42 %]")
    .option("--pid <pid>", "the machine's pid when it is local but not registered (its command line goes into the XML; SIGTERM ends it)")
    .option("--qemu-cmdline <args>", "the machine's QEMU command line (binary first, shell quoting) when it is not local")
    .option("--runtime-dir <dir>", "registry directory to look TARGET up in")
    .action(async (target: string, file: string, opts: SaveOptions) => {
      if (!FORMATS.includes(opts.format as SaveFormat))
        throw new UsageError(`unknown format '${opts.format}': expected ${FORMATS.join(", ")}`);
      const runState = runStateFromFlags(opts);
      let pid: number | undefined;
      if (opts.pid !== undefined) {
        pid = Number(opts.pid);
        if (!Number.isSafeInteger(pid) || pid <= 0) throw new UsageError(`invalid pid '${opts.pid}'`);
      }
      const progress = jobProgress("Save", opts.verbose === true);
      await withSignalAbort(async (signal) => {
        const saved = await saveToImage({
          target,
          file,
          format: opts.format as SaveFormat,
          ...(runState ? { runState } : {}),
          ...(opts.xml !== undefined ? { xml: await readFile(opts.xml, "utf8") } : {}),
          ...(opts.bypassCache ? { bypassCache: true } : {}),
          ...(pid !== undefined ? { pid } : {}),
          ...(opts.qemuCmdline !== undefined ? { commandLine: splitShellWords(opts.qemuCmdline) } : {}),
          ...(opts.runtimeDir !== undefined ? { registry: { runtimeDir: opts.runtimeDir } } : {}),
          onProgress: (p) => progress.update(p.percent),
          signal,
        });
        progress.finish();
        process.stdout.write(`\nDomain '${saved.name}' saved to ${file}\n\n`);
      });
    });
}
