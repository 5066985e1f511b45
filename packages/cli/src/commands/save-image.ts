import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { readSaveImageFile } from "@savevm/format/node";
import { defineSaveImageXml, editSaveImageXml, runStateFromFlags } from "@savevm/machine/node";

interface RunStateFlags {
  running?: boolean;
  paused?: boolean;
}

/** `savevm save-image-dumpxml`, `save-image-define`, `save-image-edit`: virsh's commands of those names. */
export function registerSaveImageDumpxml(program: Command): void {
  program
    .command("save-image-dumpxml")
    .description("print the domain XML of a save image, as virsh save-image-dumpxml")
    .argument("<file>", "the image")
    .action(async (file: string) => {
      const image = await readSaveImageFile(file);
      await image.stream.close();
      process.stdout.write(image.domainXml.endsWith("\n") ? image.domainXml : `${image.domainXml}\n`);
    });
}

export function registerSaveImageDefine(program: Command): void {
  program
    .command("save-image-define")
    .description("replace the domain XML of a save image in place, as virsh save-image-define")
    .argument("<file>", "the image")
    .argument("<xml>", "file with the new domain XML (same name, UUID and memory)")
    .option("--running", "restore into a running machine")
    .option("--paused", "restore into a paused machine")
    .action(async (file: string, xmlFile: string, opts: RunStateFlags) => {
      const runState = runStateFromFlags(opts);
      await defineSaveImageXml(file, await readFile(xmlFile, "utf8"), runState ? { runState } : {});
      process.stdout.write(`State file ${file} updated.\n`);
    });
}

export function registerSaveImageEdit(program: Command): void {
  program
    .command("save-image-edit")
    .description("edit the domain XML of a save image with $EDITOR, as virsh save-image-edit")
    .argument("<file>", "the image")
    .option("--running", "restore into a running machine")
    .option("--paused", "restore into a paused machine")
    .action(async (file: string, opts: RunStateFlags) => {
      const runState = runStateFromFlags(opts);
      const changed = await editSaveImageXml(file, runState ? { runState } : {});
      process.stdout.write(changed ? `State file ${file} edited.\n` : `Saved image ${file} XML configuration not changed.\n`);
    });
}
