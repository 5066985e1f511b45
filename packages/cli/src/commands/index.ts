/**
 * Every command, one line each: usage, summary, module. A module is imported only when its
 * command runs (or for `savevm completion`), so start-up stays fast however many commands exist.
 */
import { lazy, type CommandEntry } from "./command-entry.js";

export type { CommandEntry, RegisterCommand } from "./command-entry.js";

export const commands: CommandEntry[] = [
  lazy("inspect <file>", "show what a QEMU stream or libvirt save image holds", () => import("./inspect.js"), (m) => m.registerInspect),
  lazy("check <file>", "report what QEMU's loader would refuse in a stream or save image", () => import("./check.js"), (m) => m.registerCheck),
  lazy("convert <in> <out>", "decode a stream or save image and encode it again", () => import("./convert.js"), (m) => m.registerConvert),
  lazy("run", "start an emulated machine and serve QMP (and HMP) for it", () => import("./run.js"), (m) => m.registerRun),
  lazy("scan <file>", "count zero, uniform, duplicate and unique pages of a RAM image", () => import("./scan.js"), (m) => m.registerScan),
  lazy("list", "list running machines, like virsh list", () => import("./list.js"), (m) => m.registerList),
  lazy("save <target> <file>", "save a running machine into a libvirt save image, as virsh save", () => import("./save.js"), (m) => m.registerSave),
  lazy("restore <file>", "bring a save image back as a running machine, as virsh restore", () => import("./restore.js"), (m) => m.registerRestore),
  lazy("save-image-dumpxml <file>", "print the domain XML of a save image", () => import("./save-image.js"), (m) => m.registerSaveImageDumpxml),
  lazy("save-image-define <file> <xml>", "replace the domain XML of a save image in place", () => import("./save-image.js"), (m) => m.registerSaveImageDefine),
  lazy("save-image-edit <file>", "edit the domain XML of a save image with $EDITOR", () => import("./save-image.js"), (m) => m.registerSaveImageEdit),
  lazy("qmp <address> [command] [args...]", "a QMP command to QEMU or savevm, or a shell", () => import("./qmp.js"), (m) => m.registerQmp),
  lazy("demo", "live-snapshot a busy guest, restore it elsewhere, compare", () => import("./demo.js"), (m) => m.registerDemo),
  lazy("playground", "serve the browser playground on 127.0.0.1", () => import("./playground.js"), (m) => m.registerPlayground),
  lazy("completion <shell>", "a completion script for bash, zsh or fish", () => import("./completion.js"), (m) => m.registerCompletion),
];
