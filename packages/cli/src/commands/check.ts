/**
 * `savevm check FILE|-`: what QEMU's loader would refuse in a stream (or the stream inside a
 * libvirt save image) beyond what decoding needs. One line per problem, then a count; exit
 * status 1 when there are problems.
 */
import type { Command } from "commander";
import { checkMigrationStream, type CheckFinding, type CheckOptions } from "@savevm/format/reader";
import { openInput } from "../input.js";
import { openInputContainer } from "../container.js";
import { UsageError } from "../cli-error.js";
import { hex } from "../table.js";
import { addProgressOptions, progressOptions, type ProgressFlags } from "./progress-options.js";
import { addStreamOptions, streamOptions, type StreamFlags } from "./stream-options.js";

interface CheckFlags extends StreamFlags, ProgressFlags {
  json?: boolean;
  ramBlock?: string[];
}

export function registerCheck(program: Command): void {
  const command = program
    .command("check")
    .description("report what QEMU's loader would refuse: versions against the vmdesc, RAM block sizes, footers, run state")
    .argument("<file>", "the file, or - for standard input")
    .option("--json", "print { file, problems: [...] } instead of one line per problem")
    .option(
      "--ram-block <name=size>",
      "a RAM block of the loading machine (repeatable, e.g. pc.ram=1G): blocks the stream has that differ are reported",
      (value: string, previous: string[] = []) => [...previous, value],
    );
  addProgressOptions(addStreamOptions(command)).action(async (file: string, flags: CheckFlags) => {
    await check(file, flags);
  });
}

async function check(file: string, flags: CheckFlags): Promise<void> {
  const ramBlocks = flags.ramBlock ? await localRamBlocks(flags.ramBlock) : undefined;
  const input = await openInput(file);
  const container = await openInputContainer(input, "check", progressOptions(flags));
  let problems: CheckFinding[];
  try {
    const options: CheckOptions = streamOptions(flags, container.baseOffset);
    if (ramBlocks) options.ramBlocks = ramBlocks;
    problems = await checkMigrationStream(container.stream, options);
  } finally {
    await container.close();
  }
  if (flags.json) {
    process.stdout.write(JSON.stringify({ file: input.name, problems }, null, 2) + "\n");
  } else {
    const lines = problems.map(problemLine);
    lines.push(problems.length === 0 ? "no problems found" : `${problems.length} problem${problems.length === 1 ? "" : "s"}`);
    process.stdout.write(lines.join("\n") + "\n");
  }
  if (problems.length > 0) process.exitCode = 1;
}

/** `savevm check: OFFSET section: message`. */
function problemLine(p: CheckFinding): string {
  const where = [p.offset !== undefined ? hex(p.offset) : "?", p.section].filter((s) => s !== undefined).join(" ");
  return `savevm check: ${where}: ${p.message}`;
}

async function localRamBlocks(specs: readonly string[]): Promise<Map<string, number>> {
  // Only for this option: the machine package is not otherwise needed to check a file.
  const { parseSize } = await import("@savevm/machine");
  const blocks = new Map<string, number>();
  for (const spec of specs) {
    const eq = spec.lastIndexOf("=");
    if (eq <= 0) throw new UsageError(`--ram-block: expected NAME=SIZE, got '${spec}'`);
    blocks.set(spec.slice(0, eq), parseSize(spec.slice(eq + 1), `--ram-block size for ${spec.slice(0, eq)}`));
  }
  return blocks;
}
