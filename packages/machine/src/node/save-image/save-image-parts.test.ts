import { describe, expect, it } from "vitest";
import { qemuArgsForRestart, savevmRunArgs } from "./command-line.js";
import { qemuDomainOf } from "./qemu-domain.js";
import { describeMachine } from "./describe-machine.js";
import { buildDomainXml, checkAbiStability, readDomainDescription } from "./domain-xml.js";
import { parseInfoMigrate, parseInfoStatus } from "./hmp-driver.js";
import { quoteHmpString, quoteShellWord } from "./hmp-quote.js";
import { runArgsOfProcess, shapeOfRunArgs } from "./savevm-run-options.js";
import { runStateFromFlags } from "./save-image-error.js";
import { splitShellWords, withoutEnvironment } from "./shell-words.js";
import { machineTypeOfStream, peekMachineType } from "./stream-head.js";

/** Reads an HMP string argument the way QEMU's monitor does (monitor/hmp.c get_str), to check our quoting. */
function readHmpString(text: string): string {
  expect(text[0]).toBe('"');
  let out = "";
  for (let i = 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      expect(i).toBe(text.length - 1);
      return out;
    }
    if (c === "\\") {
      const e = text[++i]!;
      out += e === "n" ? "\n" : e === "r" ? "\r" : e;
      expect(["n", "r", "\\", "'", '"']).toContain(e);
    } else out += c;
  }
  throw new Error("unterminated");
}

describe("quoting for the monitor and the shell", () => {
  const names = ["plain.save", "with space.save", `both "double" and 'single'.save`, "back\\slash", "new\nline", "tab\there"];
  it("round-trips through QEMU's HMP string reader", () => {
    for (const name of names.filter((n) => !n.includes("\t"))) expect(readHmpString(quoteHmpString(name))).toBe(name);
  });
  it("refuses control characters HMP has no escape for", () => {
    expect(() => quoteHmpString("tab\there")).toThrow(RangeError);
  });
  it("gives one shell word whatever the name holds", () => {
    for (const name of names) expect(splitShellWords(quoteShellWord(name))).toEqual([name]);
  });
});

describe("shell words", () => {
  it("splits what virsh domxml-to-native prints", () => {
    const text =
      'LC_ALL=C \\\nPATH=/bin \\\n/usr/bin/qemu-system-x86_64 \\\n-name guest=tiny,debug-threads=on \\\n-S \\\n-object \'{"qom-type":"secret"}\' \\\n-m 32\n';
    expect(withoutEnvironment(splitShellWords(text))).toEqual([
      "/usr/bin/qemu-system-x86_64",
      "-name",
      "guest=tiny,debug-threads=on",
      "-S",
      "-object",
      '{"qom-type":"secret"}',
      "-m",
      "32",
    ]);
    expect(splitShellWords(`a "b \\"c\\" \\\\d" ''`)).toEqual(["a", 'b "c" \\d', ""]);
  });
});

describe("command lines", () => {
  const qemu = [
    "-accel",
    "tcg",
    "-name",
    "guest=tiny",
    "-m",
    "32",
    "-S",
    "-nodefaults",
    "-chardev",
    "socket,id=charmonitor,path=/x/monitor.sock,server=on,wait=off",
    "-mon",
    "chardev=charmonitor,id=monitor,mode=control",
    "-chardev",
    "pty,id=charserial0",
    "-device",
    "isa-serial,chardev=charserial0",
    "-qmp",
    "unix:/x/q.sock,server=on,wait=off",
    "-incoming",
    "defer",
    "-daemonize",
    "-pidfile",
    "/x/pid",
    "-kernel",
    "/k",
  ];
  it("drops monitors, incoming, -S and process control for a restart", () => {
    expect(qemuArgsForRestart(qemu)).toEqual([
      "-accel",
      "tcg",
      "-name",
      "guest=tiny",
      "-m",
      "32",
      "-nodefaults",
      "-chardev",
      "pty,id=charserial0",
      "-device",
      "isa-serial,chardev=charserial0",
      "-kernel",
      "/k",
    ]);
  });
  it("drops libvirt's master key, whose file lives only as long as libvirt's domain", () => {
    const native = [
      "-object",
      '{"qom-type":"secret","id":"masterKey0","format":"raw","file":"/var/lib/libvirt/qemu/domain-1-tiny/master-key.aes"}',
      "-object",
      "secret,id=masterKey0,format=raw,file=/k",
      "-object",
      '{"qom-type":"memory-backend-ram","id":"pc.ram","size":33554432}',
    ];
    expect(qemuArgsForRestart(native)).toEqual(["-object", '{"qom-type":"memory-backend-ram","id":"pc.ram","size":33554432}']);
  });

  it("also drops what libvirt's own elements describe, for qemu:commandline", () => {
    expect(qemuDomainOf(qemu).qemuArgs).toEqual([]);
  });
  it("keeps the options that describe a savevm machine", () => {
    const argv = [
      "node",
      "/b/savevm.js",
      "run",
      "--memory",
      "64M",
      "--qmp",
      "unix:/q",
      "--name=a",
      "-S",
      "--guest",
      "rate=1M",
      "--detach",
      "--allow-exec",
    ];
    expect(savevmRunArgs(argv)).toEqual(["--memory", "64M", "--guest", "rate=1M", "--allow-exec"]);
    const spawned = ["node", "/d/machine-process.js", JSON.stringify({ memory: 1 << 24, qmp: ["unix:/q"], machineType: "m", name: "n" })];
    expect(runArgsOfProcess(spawned)).toEqual(["--memory", String(1 << 24), "--machine", "m"]);
    expect(shapeOfRunArgs(["--memory", "64M", "--guest", "rate=1M"])).toEqual({ memory: 64 << 20, guest: "rate=1M" });
  });
});

describe("domain XML", () => {
  it("describes a QEMU process so that it reads back, arguments with quotes and ampersands included", () => {
    const argv = ["/usr/bin/qemu-system-x86_64", "-m", "16", "-name", "web", "-device", `loader,file=/k's "dir"/a&b`, "-qmp", "unix:/q,server=on"];
    const d = describeMachine({ facts: { uuid: "6F1C4A0E-0000-4000-8000-000000000001" }, process: { argv }, machineType: "pc-i440fx-7.2" });
    const xml = buildDomainXml(d);
    expect(xml).toContain("xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'");
    const back = readDomainDescription(xml);
    expect(back).toMatchObject({
      name: "web",
      uuid: "6f1c4a0e-0000-4000-8000-000000000001",
      memoryKiB: 16384,
      vcpus: 1,
      machineType: "pc-i440fx-7.2",
      virtType: "qemu",
      acpi: true,
      emulator: "/usr/bin/qemu-system-x86_64",
      qemuArgs: ["-device", `loader,file=/k's "dir"/a&b`],
      savevm: { kind: "qemu", binary: "/usr/bin/qemu-system-x86_64", argv: ["-m", "16", "-name", "web", "-device", `loader,file=/k's "dir"/a&b`] },
    });
  });

  it("leaves ACPI out for a QEMU without it, as libvirt then starts QEMU without it too", () => {
    const argv = ["/usr/bin/qemu-system-x86_64", "-m", "16", "-machine", "pc,acpi=off"];
    const xml = buildDomainXml(describeMachine({ facts: {}, process: { argv } }));
    expect(xml).not.toContain("<acpi/>");
    expect(readDomainDescription(xml)).toMatchObject({ acpi: false, machineType: "pc" });
  });

  it("describes a savevm machine with its run options", () => {
    const d = describeMachine({
      facts: { name: "m", uuid: "11111111-2222-4333-8444-555555555555", memory: 64 << 20 },
      process: { argv: ["node", "savevm", "run", "--memory", "64M", "--qmp", "unix:/q"] },
      machineType: "savevm-virt-1.0",
    });
    expect(readDomainDescription(buildDomainXml(d))).toMatchObject({
      name: "m",
      memoryKiB: 65536,
      savevm: { kind: "savevm", runArgs: ["--memory", "64M"] },
    });
  });

  it("reads libvirt's XML: units, namespaces declared on the root, comments", () => {
    const xml = `<?xml version="1.0"?><!-- c --><domain type="kvm" xmlns:q="${"http://libvirt.org/schemas/domain/qemu/1.0"}">
      <name>tiny</name><uuid>AB</uuid><memory unit="MiB">32</memory><vcpu placement="static">2</vcpu>
      <os><type arch="x86_64" machine="pc-q35-7.2">hvm</type></os><devices><interface><name>x</name></interface></devices>
      <q:commandline><q:arg value="-S"/></q:commandline></domain>`;
    expect(readDomainDescription(xml)).toMatchObject({
      name: "tiny",
      uuid: "ab",
      memoryKiB: 32768,
      vcpus: 2,
      virtType: "kvm",
      machineType: "pc-q35-7.2",
      qemuArgs: ["-S"],
    });
  });

  it("checks ABI stability with libvirt's words", () => {
    const base = (name: string, uuid: string, kib: number): string =>
      `<domain type='qemu'><name>${name}</name><uuid>${uuid}</uuid><memory unit='KiB'>${kib}</memory></domain>`;
    const source = base("tiny", "11111111-1111-4111-8111-111111111111", 32768);
    expect(() => checkAbiStability(source, base("tiny", "11111111-1111-4111-8111-111111111111", 32768))).not.toThrow();
    expect(() => checkAbiStability(source, base("tiny2", "11111111-1111-4111-8111-111111111111", 32768))).toThrow(
      "Target domain name 'tiny2' does not match source 'tiny'",
    );
    expect(() => checkAbiStability(source, base("tiny", "22222222-1111-4111-8111-111111111111", 32768))).toThrow(
      "Target domain uuid 22222222-1111-4111-8111-111111111111 does not match source 11111111-1111-4111-8111-111111111111",
    );
    expect(() => checkAbiStability(source, base("tiny", "11111111-1111-4111-8111-111111111111", 65536))).toThrow(
      "unsupported configuration: Target domain max memory 65536 does not match source 32768",
    );
  });
});

describe("monitor replies", () => {
  it("reads info status and info migrate as QEMU 7.2 prints them", () => {
    expect(parseInfoStatus("VM status: paused (prelaunch)\n")).toEqual({ status: "prelaunch", running: false });
    expect(parseInfoStatus("VM status: running\n")).toEqual({ status: "running", running: true });
    const info =
      "globals:\nstore-global-state: on\nMigration status: active\ntotal time: 8 ms\ntransferred ram: 100 kbytes\nremaining ram: 300 kbytes\ntotal ram: 400 kbytes\n";
    expect(parseInfoMigrate(info)).toEqual({ status: "active", transferred: 102400, remaining: 307200, total: 409600 });
    expect(parseInfoMigrate("Migration status: failed (Unable to write to socket: Broken pipe)\n")).toEqual({
      status: "failed",
      error: "Unable to write to socket: Broken pipe",
    });
  });
  it("refuses both run-state flags with libvirt's words", () => {
    expect(() => runStateFromFlags({ running: true, paused: true })).toThrow(
      "Flags 'VIR_DOMAIN_SAVE_RUNNING' and 'VIR_DOMAIN_SAVE_PAUSED' are mutually exclusive",
    );
    expect(runStateFromFlags({ paused: true })).toBe("paused");
  });
});

describe("stream head", () => {
  const head = new Uint8Array([0x51, 0x45, 0x56, 0x4d, 0, 0, 0, 3, 7, 0, 0, 0, 4, ...new TextEncoder().encode("pc-x"), 1, 2, 3]);
  it("finds the machine type in the configuration record, in pieces too", async () => {
    expect(machineTypeOfStream(head.subarray(0, 12))).toBeUndefined();
    expect(machineTypeOfStream(head)).toBe("pc-x");
    const pieces = async function* () {
      for (let i = 0; i < head.length; i += 3) yield head.slice(i, i + 3);
    };
    const { machineType, stream } = await peekMachineType(pieces());
    expect(machineType).toBe("pc-x");
    const all: number[] = [];
    for await (const chunk of stream) all.push(...chunk);
    expect(all).toEqual([...head]);
  });
});
