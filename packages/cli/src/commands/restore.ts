import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { restoreFromImage, runStateFromFlags, splitShellWords } from "@savevm/machine/node";
import { jobProgress } from "./save-progress.js";
import { withSignalAbort } from "./save-signals.js";

interface RestoreOptions {
  running?: boolean;
  paused?: boolean;
  xml?: string;
  bypassCache?: boolean;
  verbose?: boolean;
  qemuCmdline?: string;
  qemuBinary?: string;
  qmp?: string;
  hmp?: string;
  runtimeDir?: string;
}

/** `savevm restore FILE`: `virsh restore` into a savevm machine or QEMU. */
export function registerRestore(program: Command): void {
  program
    .command("restore")
    .description("bring a libvirt save image back as a running machine, as virsh restore does")
    .argument("<file>", "the image (written by savevm save or virsh save)")
    .option("--running", "start the machine running, whatever the image says")
    .option("--paused", "leave the machine paused, whatever the image says")
    .option("--xml <file>", "restore with this domain XML (it must describe the same machine)")
    .option("--bypass-cache", "read the image with O_DIRECT")
    .option("--verbose", "show progress: Restore: [ 42 %]")
    .option("--qemu-cmdline <args>", "QEMU command line (binary first, shell quoting) for an image that records none (written by libvirt)")
    .option("--qemu-binary <path>", "QEMU binary to run (default: the image's emulator)")
    .option("--qmp <address>", "QMP address for the restored machine (default: unix:RUNTIME_DIR/UUID.qmp)")
    .option("--hmp <address>", "also serve a text monitor at this address")
    .option("--runtime-dir <dir>", "registry directory (default $XDG_RUNTIME_DIR/savevm, /run/savevm for root)")
    .action(async (file: string, opts: RestoreOptions) => {
      const runState = runStateFromFlags(opts);
      const progress = jobProgress("Restore", opts.verbose === true);
      await withSignalAbort(async (signal) => {
        const restored = await restoreFromImage({
          file,
          ...(runState ? { runState } : {}),
          ...(opts.xml !== undefined ? { xml: await readFile(opts.xml, "utf8") } : {}),
          ...(opts.bypassCache ? { bypassCache: true } : {}),
          ...(opts.qemuCmdline !== undefined ? { qemuCommandLine: splitShellWords(opts.qemuCmdline) } : {}),
          ...(opts.qemuBinary !== undefined ? { qemuBinary: opts.qemuBinary } : {}),
          ...(opts.qmp !== undefined ? { qmp: opts.qmp } : {}),
          ...(opts.hmp !== undefined ? { hmp: opts.hmp } : {}),
          ...(opts.runtimeDir !== undefined ? { runtimeDir: opts.runtimeDir } : {}),
          onProgress: (p) => progress.update(p.percent),
          signal,
        });
        progress.finish();
        let out = `Domain restored from ${file}\n`;
        out += `Name: ${restored.name}  UUID: ${restored.uuid}  pid ${restored.pid}  ${restored.state}\n`;
        for (const address of restored.qmp) out += `QMP: ${address}\n`;
        if (restored.hmp !== undefined) out += `HMP: ${restored.hmp}\n`;
        process.stdout.write(`${out}\n`);
      });
    });
}
