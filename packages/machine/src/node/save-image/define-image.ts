import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readSaveImageFile, rewriteSaveImageXmlFile } from "@savevm/format/node";
import { checkAbiStability } from "./domain-xml.js";
import { quoteShellWord } from "./hmp-quote.js";
import { SaveRestoreError } from "./save-image-error.js";

export interface DefineSaveImageOptions {
  /** Also rewrite was_running (`--running` / `--paused`). */
  runState?: "running" | "paused";
}

async function currentXml(file: string): Promise<string> {
  const image = await readSaveImageFile(file);
  await image.stream.close();
  return image.domainXml;
}

/**
 * `virsh save-image-define`: replaces the domain XML of an image in place, within its data
 * area, after libvirt's ABI check (name, UUID, memory). Fails with "new xml too large to fit in
 * file" when it does not fit.
 */
export async function defineSaveImageXml(file: string, xml: string, options: DefineSaveImageOptions = {}): Promise<void> {
  checkAbiStability(await currentXml(file), xml);
  await rewriteSaveImageXmlFile(file, xml, options.runState ? { wasRunning: options.runState === "running" } : {});
}

/**
 * `virsh save-image-edit`: writes the XML to a temporary file, runs the editor on it through
 * `sh -c` (VISUAL, then EDITOR, then vi — as virsh), and defines the result when it changed.
 * Resolves whether anything changed.
 */
export async function editSaveImageXml(
  file: string,
  options: DefineSaveImageOptions & { editor?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<boolean> {
  const before = await currentXml(file);
  const env = options.env ?? process.env;
  const editor = options.editor ?? (env.VISUAL || env.EDITOR || "vi");
  const dir = await mkdtemp(join(tmpdir(), "savevm-edit-"));
  try {
    const temp = join(dir, "domain.xml");
    await writeFile(temp, before, { mode: 0o600 });
    const status = await new Promise<number | null>((resolve, reject) => {
      const child = spawn("/bin/sh", ["-c", `${editor} ${quoteShellWord(temp)}`], { stdio: "inherit", env });
      child.once("error", reject);
      child.once("exit", (code) => resolve(code));
    });
    if (status !== 0) throw new SaveRestoreError("INVALID_ARGUMENT", `the editor '${editor}' exited with status ${status}`);
    const after = await readFile(temp, "utf8");
    if (after === before && options.runState === undefined) return false;
    await defineSaveImageXml(file, after, options);
    return true;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
