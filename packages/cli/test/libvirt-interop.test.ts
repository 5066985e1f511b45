/**
 * savevm against real libvirt 9.0 and QEMU 7.2, both ways: images `virsh save` wrote are read
 * and restored by savevm, images savevm wrote are read and restored by `virsh restore`, in every
 * compression format libvirt 9.0 has, with the RAM compared by `pmemsave`, the run state checked,
 * and the refusals worded as libvirt words them. The daemon is private to this file
 * (scripts/libvirt-test-daemon.sh). Tests that touch different domains run side by side, and each
 * ends the domains and QEMUs it started.
 */
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readSaveImageFile } from "@savevm/format/node";
import { QmpClient } from "@savevm/qmp/node";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { Libvirt, virshError } from "../src/test-support/libvirt.js";
import {
  GUEST_BYTES,
  holdsPattern,
  libvirtCommandLine,
  migrateToFile,
  newDomain,
  ramDifference,
  readHeader,
  startFromCommandLine,
  startPlainQemu,
  startUnderLibvirt,
  takeDump,
} from "../src/test-support/libvirt-fixtures.js";
import { parseNativeArgv, shellQuote, withoutLibvirtSecret } from "../src/test-support/libvirt-native.js";
import { stopAll } from "../src/test-support/qemu-vm.js";
import { runCli, type CliResult } from "../src/test-support/run-cli.js";

/** What libvirt 9.0's save_image_format accepts: zstd (format 5) came in a later libvirt. */
const LIBVIRT_FORMATS = ["raw", "gzip", "bzip2", "xz", "lzop"] as const;
type LibvirtFormat = (typeof LIBVIRT_FORMATS)[number];
const STEP_MS = 90_000;
type Finish = TestContext["onTestFinished"];

let libvirt: Libvirt;
let work: string;
/** The CLI's environment: a private machine registry, and the private daemon as virsh's default. */
let cliEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "savevm-libvirt-interop-"));
  await mkdir(join(work, "run"), { mode: 0o700 });
  libvirt = await Libvirt.start();
  cliEnv = { ...process.env, SAVEVM_RUNTIME_DIR: join(work, "run"), LIBVIRT_DEFAULT_URI: libvirt.uri };
}, 120_000);

afterAll(async () => {
  await stopAll();
  await libvirt?.stop();
  if (work) await rm(work, { recursive: true, force: true });
}, 120_000);

function cli(args: readonly string[], timeoutMs = STEP_MS): Promise<CliResult> {
  return runCli(args, { env: cliEnv, timeoutMs });
}

function expectOk(result: CliResult, what: string): void {
  expect(result.code, `${what} failed: ${result.stderr}`).toBe(0);
}

interface RestoredQemu {
  monitor: QmpClient;
  pid: number;
}

/**
 * Ends a QEMU savevm restored and waits until it is reaped: its parent exited, so init adopts
 * it, and until init reaps it its pid (and registry entry) still looks alive.
 */
async function stopRestored(vm: RestoredQemu): Promise<void> {
  await vm.monitor.close().catch(() => undefined);
  try {
    process.kill(vm.pid, "SIGKILL");
  } catch {
    return;
  }
  const deadline = Date.now() + 10_000;
  while (existsSync(`/proc/${vm.pid}`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

/** The machine `savevm list --json` shows under `name`, and a QMP connection to it. */
async function registered(name: string, finish: Finish): Promise<RestoredQemu> {
  const list = await cli(["list", "--json"]);
  expectOk(list, "savevm list --json");
  const record = (JSON.parse(list.stdout) as Array<{ name: string; pid: number; qmp: string[] }>).find((r) => r.name === name);
  expect(record, `savevm list shows ${name}: ${list.stdout}`).toBeDefined();
  const vm = { pid: record!.pid, monitor: await QmpClient.connect(record!.qmp[0]!, { connectTimeoutMs: 10_000 }) };
  finish(() => stopRestored(vm));
  return vm;
}

/**
 * How `savevm restore` gets the QEMU command line of a libvirt image: from virsh itself
 * (LIBVIRT_DEFAULT_URI names the private daemon), as `virsh domxml-to-native qemu-argv` prints
 * it (pasted), or that minus its environment prefix and the master-key secret only libvirt has.
 */
type CommandLineSource = "virsh" | "pasted" | "clean";

async function savevmRestore(
  image: string,
  name: string,
  finish: Finish,
  options: { flags?: string[]; commandLine?: CommandLineSource } = {},
): Promise<{ result: CliResult; qemu?: RestoredQemu }> {
  const args = ["restore", image, ...(options.flags ?? [])];
  const source = options.commandLine ?? "virsh";
  if (source !== "virsh") {
    const xmlFile = `${image}.${source}.xml`;
    await writeFile(xmlFile, await libvirt.virshOk(["save-image-dumpxml", image]));
    const native = (await libvirt.virshOk(["domxml-to-native", "qemu-argv", "--xml", xmlFile])).trim();
    if (source === "pasted") {
      args.push("--qemu-cmdline", native);
    } else {
      const { binary, args: qemuArgs } = parseNativeArgv(native);
      args.push("--qemu-cmdline", [binary, ...withoutLibvirtSecret(qemuArgs)].map(shellQuote).join(" "));
    }
  }
  const result = await cli(args);
  if (result.code !== 0) return { result };
  return { result, qemu: await registered(name, finish) };
}

async function restoredStatus(qemu: RestoredQemu): Promise<string> {
  return (await qemu.monitor.execute<{ status: string }>("query-status")).status;
}

async function restoredRam(qemu: RestoredQemu, file: string): Promise<Buffer> {
  await qemu.monitor.execute("pmemsave", { val: 0, size: GUEST_BYTES, filename: file });
  return takeDump(file);
}

interface LibvirtImage {
  image: string;
  /** pmemsave of the domain just before `virsh save`. */
  ram: Buffer;
  seed: number;
  name: string;
  uuid: string;
  wasRunning: boolean;
}

describe("images virsh save wrote, read and restored by savevm", () => {
  const images = new Map<string, LibvirtImage>();

  /** `virsh save` of a fresh domain, compressed as the daemon's qemu.conf says. */
  async function libvirtSave(daemon: Libvirt, paused: boolean): Promise<LibvirtImage> {
    const format = daemon.saveImageFormat;
    const dir = await mkdtemp(join(work, `virsh-save-${format}-`));
    const domain = await newDomain(dir, paused ? `${format}-paused` : format);
    await startUnderLibvirt(daemon, domain);
    if (paused) await daemon.virshOk(["suspend", domain.name]);
    const pmem = join(dir, "before.pmem");
    await daemon.pmemsave(domain.name, GUEST_BYTES, pmem);
    const image = join(dir, `${format}.save`);
    await daemon.virshOk(["save", domain.name, image]);
    return { image, ram: await takeDump(pmem), seed: domain.seed, name: domain.name, uuid: domain.uuid, wasRunning: !paused };
  }

  beforeAll(async () => {
    // libvirt 9.0 reads save_image_format from qemu.conf when it starts, and its virsh has no
    // per-save option: one daemon per compression format, side by side, each saving a domain.
    const compressed = await Promise.all(LIBVIRT_FORMATS.filter((f) => f !== "raw").map((f) => Libvirt.start({ saveImageFormat: f })));
    try {
      await Promise.all([
        libvirtSave(libvirt, false).then((image) => images.set("raw", image)),
        libvirtSave(libvirt, true).then((image) => images.set("paused", image)),
        ...compressed.map((daemon) => libvirtSave(daemon, false).then((image) => images.set(daemon.saveImageFormat, image))),
      ]);
    } finally {
      await Promise.all(compressed.map((daemon) => daemon.stop()));
    }
  }, 180_000);

  describe.concurrent.each(LIBVIRT_FORMATS)("%s", (format) => {
    it("has libvirt's header, and the guest's own RAM before the save", async () => {
      const saved = images.get(format)!;
      const header = await readHeader(saved.image);
      expect(header).toMatchObject({ complete: true, version: 2, format, wasRunning: true });
      expect((await stat(saved.image)).mode & 0o777).toBe(0o600);
      expect(holdsPattern(saved.ram, saved.seed), "the pattern the guest wrote").toBe(true);
    });

    it(
      "savevm inspect --extract gives the RAM libvirt's QEMU had",
      async () => {
        const saved = images.get(format)!;
        const out = await mkdtemp(join(work, "extract-"));
        expectOk(await cli(["inspect", saved.image, "--extract", out]), "savevm inspect --extract");
        const ram = await readFile(join(out, "pc.ram"));
        await rm(out, { recursive: true, force: true });
        expect(ramDifference(ram, saved.ram)).toBeUndefined();
      },
      STEP_MS,
    );

    it(
      "savevm save-image-dumpxml prints the XML libvirt stored, naming what virsh save-image-dumpxml names",
      async () => {
        const saved = images.get(format)!;
        const ours = await cli(["save-image-dumpxml", saved.image]);
        expectOk(ours, "savevm save-image-dumpxml");
        // virsh parses the stored (migratable) XML and formats it again, adding implicit devices.
        const stored = await readSaveImageFile(saved.image);
        await stored.stream.close();
        expect(ours.stdout.trim()).toBe(stored.domainXml.trim());
        const theirs = await libvirt.virshOk(["save-image-dumpxml", saved.image]);
        for (const element of ["name", "uuid", "memory"]) {
          const pick = (xml: string) => new RegExp(`<${element}\\b[^>]*>[^<]*</${element}>`).exec(xml)?.[0];
          expect(pick(ours.stdout), element).toBeDefined();
          expect(pick(ours.stdout), element).toBe(pick(theirs));
        }
        expect(ours.stdout).toContain(`<uuid>${saved.uuid}</uuid>`);
      },
      STEP_MS,
    );

    it(
      "savevm restore --qemu-cmdline brings it back into QEMU, running as it was, with equal RAM",
      async ({ onTestFinished }) => {
        const saved = images.get(format)!;
        const dir = await mkdtemp(join(work, "restore-"));
        const { result, qemu } = await savevmRestore(saved.image, saved.name, onTestFinished, { commandLine: "clean" });
        expectOk(result, "savevm restore");
        expect(await restoredStatus(qemu!)).toBe("running");
        expect(ramDifference(await restoredRam(qemu!, join(dir, "after.pmem")), saved.ram)).toBeUndefined();
      },
      STEP_MS,
    );
  });

  // One after another: several of these bring up the same domain.
  describe("run state and duplicates", () => {
    it.for([
      { image: "raw", flags: ["--paused"], status: "paused", commandLine: "clean" },
      { image: "paused", flags: [], status: "paused", commandLine: "clean" },
      { image: "paused", flags: ["--running"], status: "running", commandLine: "clean" },
      { image: "raw", flags: [], status: "running", commandLine: "pasted" },
      { image: "paused", flags: [], status: "paused", commandLine: "virsh" },
      { image: "raw", flags: ["--bypass-cache"], status: "running", commandLine: "clean" },
    ] as const)(
      "savevm restore of the $image image with [$flags], command line $commandLine: the guest is $status",
      { timeout: STEP_MS },
      async ({ image, flags, status, commandLine }, { onTestFinished }) => {
        const saved = images.get(image)!;
        expect((await readHeader(saved.image)).wasRunning).toBe(saved.wasRunning);
        const dir = await mkdtemp(join(work, "restore-flags-"));
        const { result, qemu } = await savevmRestore(saved.image, saved.name, onTestFinished, { flags: [...flags], commandLine });
        expectOk(result, "savevm restore");
        expect(await restoredStatus(qemu!)).toBe(status);
        expect(ramDifference(await restoredRam(qemu!, join(dir, "after.pmem")), saved.ram)).toBeUndefined();
      },
    );

    it(
      "a second restore of an active domain: virsh and savevm refuse with the same words",
      async ({ onTestFinished }) => {
        const saved = images.get("raw")!;
        const words = `Requested operation is not valid: domain '${saved.name}' is already active`;
        onTestFinished(() => libvirt.destroyDomain(saved.name));
        await libvirt.virshOk(["restore", saved.image]);
        const theirs = await libvirt.virsh(["restore", saved.image]);
        expect(theirs.code).not.toBe(0);
        expect(virshError(theirs.stderr)).toContain(words);
        await libvirt.destroyDomain(saved.name);

        const first = await savevmRestore(saved.image, saved.name, onTestFinished, { commandLine: "clean" });
        expectOk(first.result, "savevm restore");
        const ours = await cli(["restore", saved.image]);
        expect(ours.code).not.toBe(0);
        expect(ours.stderr).toContain(words);
      },
      STEP_MS,
    );
  });

  describe.concurrent("save-image-define on libvirt's image", () => {
    /** A copy of libvirt's raw image, and the domain XML stored in it. */
    async function copyOfRaw(label: string): Promise<{ file: string; xml: string }> {
      const file = join(work, `define-${label}.save`);
      await writeFile(file, await readFile(images.get("raw")!.image), { mode: 0o600 });
      const stored = await readSaveImageFile(file);
      await stored.stream.close();
      return { file, xml: stored.domainXml };
    }

    it.for([
      {
        what: "a max memory mismatch",
        edit: (xml: string) => xml.replace(/>32768</g, ">65536<"),
        words: () => "Target domain max memory 65536 does not match source 32768",
      },
      {
        what: "a name mismatch",
        edit: (xml: string) => xml.replace(/<name>([^<]*)<\/name>/, "<name>$1-other</name>"),
        words: (saved: LibvirtImage) => `Target domain name '${saved.name}-other' does not match source '${saved.name}'`,
      },
      {
        what: "a uuid mismatch",
        edit: (xml: string) => xml.replace(/<uuid>[^<]*<\/uuid>/, "<uuid>6f1c4a0e-0000-4000-8000-000000000001</uuid>"),
        words: (saved: LibvirtImage) => `Target domain uuid 6f1c4a0e-0000-4000-8000-000000000001 does not match source ${saved.uuid}`,
      },
      {
        what: "an XML too large for the data area",
        edit: (xml: string) => xml.replace("</domain>", `  <description>${"x".repeat(70_000)}</description>\n</domain>`),
        words: () => "new xml too large to fit in file",
      },
    ])(
      "$what: virsh and savevm refuse with the same words and leave the image as it was",
      { timeout: STEP_MS },
      async ({ what, edit, words }) => {
        const saved = images.get("raw")!;
        const theirs = await copyOfRaw(`${what.replaceAll(" ", "-")}-virsh`);
        const ours = await copyOfRaw(`${what.replaceAll(" ", "-")}-savevm`);
        const xmlFile = join(work, `define-${what.replaceAll(" ", "-")}.xml`);
        await writeFile(xmlFile, edit(theirs.xml));
        const before = await readFile(theirs.file);

        const virsh = await libvirt.virsh(["save-image-define", theirs.file, xmlFile]);
        expect(virsh.code).not.toBe(0);
        expect(virshError(virsh.stderr)).toContain(words(saved));
        const savevm = await cli(["save-image-define", ours.file, xmlFile]);
        expect(savevm.code).not.toBe(0);
        expect(savevm.stderr).toContain(words(saved));
        expect((await readFile(ours.file)).equals(before), "savevm left the image as it was").toBe(true);
      },
    );

    it(
      "savevm save-image-define --paused: virsh reads the new XML and restores the domain paused, RAM equal",
      async ({ onTestFinished }) => {
        const saved = images.get("raw")!;
        const { file, xml } = await copyOfRaw("accepted");
        const xmlFile = join(work, "define-accepted.xml");
        await writeFile(xmlFile, xml.replace("</domain>", "  <description>edited by savevm</description>\n</domain>"));
        const defined = await cli(["save-image-define", file, xmlFile, "--paused"]);
        expectOk(defined, "savevm save-image-define");
        expect(defined.stdout).toContain(`State file ${file} updated.`);
        expect((await readHeader(file)).wasRunning).toBe(false);
        expect(await libvirt.virshOk(["save-image-dumpxml", file])).toContain("<description>edited by savevm</description>");
        onTestFinished(() => libvirt.destroyDomain(saved.name));
        await libvirt.virshOk(["restore", file]);
        expect(await libvirt.domstate(saved.name)).toBe("paused");
        const pmem = `${file}.after.pmem`;
        await libvirt.pmemsave(saved.name, GUEST_BYTES, pmem);
        expect(ramDifference(await takeDump(pmem), saved.ram)).toBeUndefined();
      },
      STEP_MS,
    );
  });

  describe.concurrent("refusals carry libvirt's words", () => {
    /** A copy of libvirt's raw image with `patch` applied to its header. */
    async function damaged(label: string, patch: (header: Buffer) => void): Promise<string> {
      const bytes = await readFile(images.get("raw")!.image);
      patch(bytes);
      const file = join(work, `${label}.save`);
      await writeFile(file, bytes);
      await chmod(file, 0o600);
      return file;
    }

    /** libvirt's sentence for the failure: what follows "operation failed: " on its last line. */
    function libvirtWords(stderr: string): string {
      const text = virshError(stderr);
      return (/operation failed: (.*)$/.exec(text)?.[1] ?? text).trim();
    }

    it.each([
      { label: "incomplete", patch: (b: Buffer) => b.write("LibvirtQemudPart", 0, "latin1"), words: "save image is incomplete" },
      { label: "bad-magic", patch: (b: Buffer) => b.write("LibvirtQemudSavf", 0, "latin1"), words: "image magic is incorrect" },
      { label: "version-3", patch: (b: Buffer) => b.writeUInt32LE(3, 16), words: "image version is not supported (50331648 > 2)" },
    ])(
      "$label: virsh and savevm refuse with the same words",
      async ({ label, patch, words }) => {
        const file = await damaged(label, patch);
        const virshRestore = await libvirt.virsh(["restore", file]);
        expect(virshRestore.code).not.toBe(0);
        expect(libvirtWords(virshRestore.stderr)).toBe(words);
        const virshDump = await libvirt.virsh(["save-image-dumpxml", file]);
        expect(libvirtWords(virshDump.stderr)).toBe(words);

        const ourRestore = await cli(["restore", file]);
        expect(ourRestore.code).not.toBe(0);
        expect(ourRestore.stderr).toContain(words);
        const ourDump = await cli(["save-image-dumpxml", file]);
        expect(ourDump.code).not.toBe(0);
        expect(ourDump.stderr).toContain(words);
      },
      STEP_MS,
    );

    it(
      "--running with --paused: virsh and savevm refuse with the same words",
      async () => {
        const image = images.get("raw")!.image;
        const words = "Flags 'VIR_DOMAIN_SAVE_RUNNING' and 'VIR_DOMAIN_SAVE_PAUSED' are mutually exclusive";
        const theirs = await libvirt.virsh(["restore", image, "--running", "--paused"]);
        expect(theirs.code).not.toBe(0);
        expect(virshError(theirs.stderr)).toContain(words);
        const ours = await cli(["restore", image, "--running", "--paused"]);
        expect(ours.code).not.toBe(0);
        expect(ours.stderr).toContain(words);
      },
      STEP_MS,
    );
  });
});

describe.concurrent("images savevm wrote, read and restored by virsh", () => {
  /**
   * A domain of the test's own (so tests run side by side), libvirt's command line and
   * migratable XML for it, and a QEMU started from that command line with its guest halted.
   * The test holds the monitor libvirt's command line opens; QEMU serves one client per monitor,
   * so savevm gets a QMP monitor of its own at `target`.
   */
  async function sourceQemu(label: string, finish: Finish, extraArgs: string[] = []) {
    const dir = await mkdtemp(join(work, `${label}-`));
    const domain = await newDomain(dir, label);
    finish(() => libvirt.destroyDomain(domain.name));
    const commandLine = await libvirtCommandLine(libvirt, domain);
    const migratableXml = join(dir, "migratable.xml");
    await writeFile(migratableXml, commandLine.migratableXml);
    const savevmSocket = join(dir, "savevm-qmp.sock");
    const vm = await startFromCommandLine(commandLine, ["-qmp", `unix:${savevmSocket},server=on,wait=off`, ...extraArgs]);
    finish(() => vm.stop());
    const pmem = join(dir, "before.pmem");
    await vm.pmemsave(pmem, GUEST_BYTES);
    const ram = await takeDump(pmem);
    expect(holdsPattern(ram, domain.seed), "the pattern the guest wrote").toBe(true);
    return { dir, domain, migratableXml, vm, ram, target: `unix:${savevmSocket}` };
  }

  /** `virsh restore` of the image; the state libvirt reports and the RAM its QEMU holds. */
  /** `virsh restore image` (the domain destroyed when the test ends) leaves `name` in `state` with guest RAM equal to `ram`. */
  async function expectVirshRestores(
    image: string,
    name: string,
    ram: Buffer,
    finish: Finish,
    { state = "running", flags = [] }: { state?: string; flags?: string[] } = {},
  ): Promise<void> {
    finish(() => libvirt.destroyDomain(name));
    await libvirt.virshOk(["restore", image, ...flags]);
    expect(await libvirt.domstate(name)).toBe(state);
    const pmem = `${image}.after.pmem`;
    await libvirt.pmemsave(name, GUEST_BYTES, pmem);
    expect(ramDifference(await takeDump(pmem), ram)).toBeUndefined();
  }

  async function virshReadsXml(image: string, domain: { name: string; uuid: string }): Promise<void> {
    const xml = await libvirt.virshOk(["save-image-dumpxml", image]);
    expect(xml).toContain(`<name>${domain.name}</name>`);
    expect(xml).toContain(`<uuid>${domain.uuid}</uuid>`);
  }

  it.for(LIBVIRT_FORMATS)(
    "%s: savevm save of a QEMU on the domain's command line, virsh restore runs it with equal RAM",
    { timeout: STEP_MS },
    async (format, { onTestFinished }) => {
      const source = await sourceQemu(`save-${format}`, onTestFinished);
      const image = join(source.dir, `ours.${format}.save`);
      expectOk(await cli(["save", source.target, image, "--format", format, "--xml", source.migratableXml]), "savevm save");
      expect(await readHeader(image)).toMatchObject({ complete: true, version: 2, format, wasRunning: true });
      expect((await stat(image)).mode & 0o777).toBe(0o600);
      await virshReadsXml(image, source.domain);
      await expectVirshRestores(image, source.domain.name, source.ram, onTestFinished);
    },
  );

  // The format package compresses gzip itself (other formats go through the external programs).
  it.for(["raw", "gzip"] as const)(
    "%s: a QEMU stream wrapped by savevm convert --to libvirt, virsh restore runs it with equal RAM",
    { timeout: STEP_MS },
    async (format, { onTestFinished }) => {
      const source = await sourceQemu(`convert-${format}`, onTestFinished);
      const stream = join(source.dir, "stream.mig");
      await migrateToFile(source.vm, stream);
      const image = join(source.dir, `converted.${format}.save`);
      const args = [
        "convert",
        stream,
        image,
        "--to",
        "libvirt",
        "--domain-xml",
        source.migratableXml,
        "--image-format",
        format,
        "--running",
      ];
      expectOk(await cli(args), "savevm convert --to libvirt");
      expect(await readHeader(image)).toMatchObject({ complete: true, version: 2, format, wasRunning: true });
      await virshReadsXml(image, source.domain);
      await expectVirshRestores(image, source.domain.name, source.ram, onTestFinished);
    },
  );

  it(
    "savevm save over the text monitor (hmp:unix:): virsh restore runs it with equal RAM",
    async ({ onTestFinished }) => {
      const hmpSocket = join(await mkdtemp(join(work, "hmp-")), "hmp.sock");
      const source = await sourceQemu("save-hmp", onTestFinished, ["-monitor", `unix:${hmpSocket},server=on,wait=off`]);
      const image = join(source.dir, "ours-over-hmp.save");
      expectOk(await cli(["save", `hmp:unix:${hmpSocket}`, image, "--xml", source.migratableXml]), "savevm save hmp:");
      expect((await readHeader(image)).wasRunning).toBe(true);
      await expectVirshRestores(image, source.domain.name, source.ram, onTestFinished);
    },
    STEP_MS,
  );

  it(
    "savevm save without --xml of a QEMU on the domain's command line: libvirt's options become elements, virsh restore runs it with equal RAM",
    async ({ onTestFinished }) => {
      const source = await sourceQemu("save-native-noxml", onTestFinished);
      const image = join(source.dir, "ours-generated.save");
      expectOk(await cli(["save", source.target, image]), "savevm save");
      const xml = await libvirt.virshOk(["save-image-dumpxml", image]);
      await virshReadsXml(image, source.domain);
      // What libvirt writes itself must not come back as raw arguments next to libvirt's own.
      const raw = [...xml.matchAll(/<qemu:arg value='([^']*)'\/>/g)].map((m) => m[1]);
      const libvirtsOwn = ["-name", "-machine", "-m", "-smp", "-uuid", "-nodefaults", "-no-shutdown", "-chardev", "-mon", "-rtc", "-boot"];
      for (const option of [...libvirtsOwn, "-sandbox", "-msg", "-object", "-overcommit", "-kernel", "-device", "-audiodev"])
        expect(raw, `${option} in qemu:commandline:\n${xml}`).not.toContain(option);
      expect(xml).toContain(`<kernel>${source.domain.kernel}</kernel>`);
      await expectVirshRestores(image, source.domain.name, source.ram, onTestFinished);
    },
    STEP_MS,
  );

  it(
    "savevm save of a plain QEMU without --xml: virsh restore runs it from the XML savevm generated",
    async ({ onTestFinished }) => {
      const dir = await mkdtemp(join(work, "save-plain-"));
      const plain = await newDomain(dir, "plain");
      const savevmSocket = join(dir, "savevm-qmp.sock");
      const vm = await startPlainQemu(plain.kernel, ["-qmp", `unix:${savevmSocket},server=on,wait=off`]);
      onTestFinished(() => vm.stop());
      const pmem = join(dir, "before.pmem");
      await vm.pmemsave(pmem, GUEST_BYTES);
      const ram = await takeDump(pmem);
      expect(holdsPattern(ram, plain.seed)).toBe(true);
      const image = join(dir, "plain.save");
      expectOk(await cli(["save", `unix:${savevmSocket}`, image]), "savevm save");
      const xml = await libvirt.virshOk(["save-image-dumpxml", image]);
      const name = /<name>([^<]+)<\/name>/.exec(xml)?.[1];
      expect(name, `a domain name in the generated XML:\n${xml}`).toBeDefined();
      await expectVirshRestores(image, name!, ram, onTestFinished);
    },
    STEP_MS,
  );

  it(
    "savevm save --bypass-cache (O_DIRECT): virsh restore --bypass-cache runs it with equal RAM",
    async ({ onTestFinished }) => {
      const source = await sourceQemu("save-bypass", onTestFinished);
      const image = join(source.dir, "ours-direct.save");
      expectOk(await cli(["save", source.target, image, "--bypass-cache", "--xml", source.migratableXml]), "savevm save --bypass-cache");
      expect(await readHeader(image)).toMatchObject({ complete: true, wasRunning: true, format: "raw" });
      await expectVirshRestores(image, source.domain.name, source.ram, onTestFinished, { flags: ["--bypass-cache"] });
    },
    STEP_MS,
  );

  it(
    "zstd, which libvirt 9.0 does not have: virsh reads the XML of savevm's image and refuses the payload by number",
    async ({ onTestFinished }) => {
      const source = await sourceQemu("zstd", onTestFinished);
      const image = join(source.dir, "ours.zstd.save");
      expectOk(await cli(["save", source.target, image, "--format", "zstd", "--xml", source.migratableXml]), "savevm save --format zstd");
      expect((await readHeader(image)).format).toBe("zstd");
      await virshReadsXml(image, source.domain);
      const theirs = await libvirt.virsh(["restore", image]);
      expect(theirs.code).not.toBe(0);
      expect(virshError(theirs.stderr)).toContain("Invalid compressed save format 5");
    },
    STEP_MS,
  );

  it.for([
    { how: "a running QEMU with --paused", stop: false, flags: ["--paused"], state: "paused" },
    { how: "a paused QEMU", stop: true, flags: [], state: "paused" },
    { how: "a paused QEMU with --running", stop: true, flags: ["--running"], state: "running" },
  ])(
    "savevm save of $how: was_running follows, and virsh restore leaves the domain $state",
    { timeout: STEP_MS },
    async ({ stop, flags, state }, { onTestFinished }) => {
      const source = await sourceQemu(`save-${stop ? "paused" : "running"}-${flags.join("") || "noflag"}`, onTestFinished);
      if (stop) await source.vm.execute("stop");
      const image = join(source.dir, "ours.save");
      expectOk(await cli(["save", source.target, image, "--xml", source.migratableXml, ...flags]), "savevm save");
      expect((await readHeader(image)).wasRunning).toBe(state === "running");
      await expectVirshRestores(image, source.domain.name, source.ram, onTestFinished, { state });
    },
  );
});
