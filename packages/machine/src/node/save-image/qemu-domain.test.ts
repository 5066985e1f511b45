import { describe, expect, it } from "vitest";
import { describeMachine } from "./describe-machine.js";
import { buildDomainXml, readDomainDescription } from "./domain-xml.js";
import { qemuDomainOf } from "./qemu-domain.js";
import { parseProperties, qemuSizeBytes } from "./qemu-options.js";
import { splitShellWords, withoutEnvironment } from "./shell-words.js";

/** What `virsh domxml-to-native qemu-argv` (libvirt 9.0) printed for a domain with a kernel, a pty serial, USB and a balloon. */
const LIBVIRT_NATIVE = `LC_ALL=C HOME=/var/lib/libvirt/qemu/domain--1-a /usr/bin/qemu-system-x86_64 -name guest=a,debug-threads=on -S \
-object '{"qom-type":"secret","id":"masterKey0","format":"raw","file":"/var/lib/libvirt/qemu/domain--1-a/master-key.aes"}' \
-machine pc-i440fx-7.2,usb=off,dump-guest-core=off,memory-backend=pc.ram -accel tcg -cpu qemu64 -m 1024 \
-object '{"qom-type":"memory-backend-ram","id":"pc.ram","size":1073741824}' -overcommit mem-lock=off \
-smp 2,maxcpus=4,sockets=2,dies=1,cores=2,threads=1 -uuid 6f1c4a0e-0000-4000-8000-000000000004 -display none -no-user-config -nodefaults \
-chardev socket,id=charmonitor,path=/var/lib/libvirt/qemu/domain--1-a/monitor.sock,server=on,wait=off \
-mon chardev=charmonitor,id=monitor,mode=control -rtc base=localtime -no-shutdown -no-reboot -no-acpi -boot strict=on \
-kernel /k -initrd /i -append 'console=ttyS0 a=b' \
-device '{"driver":"piix3-usb-uhci","id":"usb","bus":"pci.0","addr":"0x1.0x2"}' -chardev pty,id=charserial0 \
-device '{"driver":"isa-serial","chardev":"charserial0","id":"serial0","index":0}' -audiodev '{"id":"audio1","driver":"none"}' \
-device '{"driver":"virtio-balloon-pci","id":"balloon0","bus":"pci.0","addr":"0x2"}' \
-sandbox on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny -msg timestamp=on`;

function native(text: string): string[] {
  return withoutEnvironment(splitShellWords(text)).slice(1);
}

describe("a QEMU command line as libvirt domain elements", () => {
  it("turns every option libvirt writes back into its element, leaving nothing for qemu:commandline", () => {
    const d = qemuDomainOf(native(LIBVIRT_NATIVE));
    expect(d).toMatchObject({
      name: "a",
      uuid: "6f1c4a0e-0000-4000-8000-000000000004",
      memoryBytes: 1 << 30,
      vcpus: 4,
      machineType: "pc-i440fx-7.2",
      virtType: "qemu",
      acpi: false,
      qemuArgs: [],
    });
    expect(d.hardware).toMatchObject({
      vcpuCurrent: 2,
      topology: { sockets: 2, dies: 1, cores: 2, threads: 1 },
      cpu: { mode: "custom", model: "qemu64" },
      os: { kernel: "/k", initrd: "/i", cmdline: "console=ttyS0 a=b", boot: [] },
      clock: { offset: "localtime", timers: [] },
      onReboot: "destroy",
    });
    expect(d.hardware.devices).toEqual([
      { kind: "usb", model: "piix3-uhci", address: { slot: 1, function: 2 } },
      { kind: "memballoon", model: "virtio", address: { slot: 2, function: 0 } },
      { kind: "serial", source: { type: "pty" }, port: 0 },
    ]);
  });

  it("writes the elements into the domain XML, libvirt's <usb> and <memballoon> included", () => {
    const xml = buildDomainXml(describeMachine({ facts: {}, process: { argv: withoutEnvironment(splitShellWords(LIBVIRT_NATIVE)) } }));
    expect(xml).not.toContain("qemu:commandline");
    for (const element of [
      "<vcpu placement='static' current='2'>4</vcpu>",
      "<kernel>/k</kernel>",
      "<cmdline>console=ttyS0 a=b</cmdline>",
      "<topology sockets='2' dies='1' cores='2' threads='1'/>",
      "<clock offset='localtime'/>",
      "<on_reboot>destroy</on_reboot>",
      "<controller type='usb' index='0' model='piix3-uhci'><address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x2'/>",
      "<memballoon model='virtio'><address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>",
      "<serial type='pty'><target port='0'/></serial>",
    ])
      expect(xml).toContain(element);
    expect(xml).not.toContain("<acpi/>");
    expect(readDomainDescription(xml)).toMatchObject({ name: "a", memoryKiB: 1 << 20, vcpus: 4, machineType: "pc-i440fx-7.2" });
  });

  it("describes the devices a hand-written QEMU gets by default, at the slots QEMU gave them", () => {
    const d = qemuDomainOf([
      "-m",
      "size=64M",
      "-smp",
      "2",
      "-enable-kvm",
      "-qmp",
      "unix:/q,server=on,wait=off",
      "-device",
      "e1000,netdev=n",
      "-netdev",
      "user,id=n",
    ]);
    expect(d).toMatchObject({ memoryBytes: 64 << 20, vcpus: 2, virtType: "kvm", acpi: true });
    expect(d.hardware.topology).toEqual({ sockets: 1, cores: 2, threads: 1 });
    expect(d.hardware.devices).toEqual([
      { kind: "usb", model: "none" },
      { kind: "video", model: "vga", address: { slot: 2, function: 0 } },
      { kind: "memballoon", model: "none" },
      { kind: "serial", source: { type: "null" }, port: 0 },
      { kind: "parallel", source: { type: "null" }, port: 0 },
      { kind: "cdrom", target: "hdc" },
      { kind: "floppy", target: "fda" },
    ]);
    // The NIC has no element of its own here (its backend is a -netdev): it keeps the slot QEMU gave it.
    expect(d.qemuArgs).toEqual(["-device", "e1000,netdev=n,addr=0x3", "-netdev", "user,id=n"]);
  });

  it("adds QEMU's default NIC when nothing names a network, and takes -serial/-vga/-boot/-rtc spellings", () => {
    const d = qemuDomainOf([
      "-m",
      "1G",
      "-vga",
      "cirrus",
      "-serial",
      "unix:/tmp/s.sock,server=on,wait=off",
      "-serial",
      "file:/tmp/log",
      "-parallel",
      "none",
      "-boot",
      "order=nc,menu=on,reboot-timeout=5000",
      "-rtc",
      "base=2023-11-14T22:13:20,driftfix=slew",
      "-cpu",
      "host,migratable=on",
      "-no-hpet",
      "-daemonize",
      "-pidfile",
      "/run/q.pid",
      "-D",
      "/tmp/q.log",
      "-cdrom",
      "/tmp/x.iso",
    ]);
    expect(d.memoryBytes).toBe(1 << 30);
    expect(d.hardware.cpu).toEqual({ mode: "host-passthrough" });
    expect(d.hardware.os).toMatchObject({ boot: ["network", "hd"], bootMenu: true, rebootTimeout: 5000 });
    expect(d.hardware.clock).toEqual({
      offset: "absolute",
      start: 1700000000,
      timers: [
        { name: "rtc", tickpolicy: "catchup" },
        { name: "hpet", present: "no" },
      ],
    });
    expect(d.hardware.devices).toEqual([
      { kind: "usb", model: "none" },
      { kind: "user-net", model: "e1000", mac: "52:54:00:12:34:56", address: { slot: 2, function: 0 } },
      { kind: "video", model: "cirrus", address: { slot: 3, function: 0 } },
      { kind: "memballoon", model: "none" },
      { kind: "serial", source: { type: "unix", path: "/tmp/s.sock", mode: "bind" }, port: 0 },
      { kind: "serial", source: { type: "file", path: "/tmp/log" }, port: 1 },
      { kind: "floppy", target: "fda" },
    ]);
    expect(d.qemuArgs).toEqual(["-cdrom", "/tmp/x.iso"]);
  });

  it("keeps in qemu:commandline only what has no element, where QEMU merges it with libvirt's own", () => {
    const d = qemuDomainOf([
      "-nodefaults",
      "-machine",
      "q35,vmport=off,kernel-irqchip=split",
      "-m",
      "size=512M,slots=2,maxmem=2G",
      "-cpu",
      "Haswell,+vmx,-hle",
      "-global",
      "kvm-pit.lost_tick_policy=delay",
      "-object",
      "secret,id=masterKey0,format=raw,file=/var/lib/libvirt/qemu/domain-1-a/master-key.aes",
      "-device",
      '{"driver":"virtio-rng-pci","id":"rng0","bus":"pcie.0","addr":"0x5"}',
    ]);
    expect(d).toMatchObject({ machineType: "q35", memoryBytes: 512 << 20 });
    expect(d.hardware.cpu).toEqual({ mode: "custom", model: "Haswell" });
    expect(d.qemuArgs).toEqual([
      "-m",
      "size=512M,slots=2,maxmem=2G",
      "-machine",
      "kernel-irqchip=split,vmport=off",
      "-cpu",
      "Haswell,+vmx,-hle",
      "-global",
      "kvm-pit.lost_tick_policy=delay",
      "-device",
      '{"driver":"virtio-rng-pci","id":"rng0","bus":"pcie.0","addr":"0x5"}',
    ]);
  });

  it("keeps serial port numbers, VGA memory, TCG's cache, and a USB controller other devices name", () => {
    const d = qemuDomainOf([
      "-nodefaults",
      "-M",
      "pc",
      "-machine",
      "pc-i440fx-7.2,dump-guest-core=off",
      "-accel",
      "tcg,tb-size=64",
      "-chardev",
      "file,id=s0,path=/tmp/a,,b.log",
      "-device",
      "isa-serial,chardev=s0,index=1",
      "-device",
      "VGA,vgamem_mb=8",
      "-device",
      "piix3-usb-uhci,id=uhci",
      "-device",
      "usb-tablet,bus=uhci.0",
    ]);
    expect(d.machineType).toBe("pc-i440fx-7.2");
    expect(d.hardware.tbCacheMiB).toBe(64);
    expect(d.hardware.devices).toEqual([
      { kind: "usb", model: "none" },
      { kind: "video", model: "vga", vramKiB: 8192, address: { slot: 2, function: 0 } },
      { kind: "memballoon", model: "none" },
      { kind: "serial", source: { type: "file", path: "/tmp/a,b.log" }, port: 1 },
    ]);
    expect(d.qemuArgs).toEqual(["-device", "piix3-usb-uhci,id=uhci,addr=0x3", "-device", "usb-tablet,bus=uhci.0"]);
    const xml = buildDomainXml({ name: "n", uuid: "u", memoryKiB: 1024, vcpus: 1, machineType: "pc", hardware: d.hardware });
    expect(xml).toContain("<tcg><tb-cache unit='MiB'>64</tb-cache></tcg>");
    expect(xml).toContain("<serial type='file'><source path='/tmp/a,b.log'/><target port='1'/></serial>");
    expect(xml).toContain("<model type='vga' vram='8192' heads='1' primary='yes'/>");
  });

  it("reads QEMU's option syntax: doubled commas, JSON, implied keys, size suffixes", () => {
    expect(parseProperties("file,path=/a,,b,append=on", "backend").entries).toEqual([
      ["backend", "file"],
      ["path", "/a,b"],
      ["append", "on"],
    ]);
    expect(parseProperties('{"driver":"isa-serial","index":0,"x":true}', "driver").entries).toEqual([
      ["driver", "isa-serial"],
      ["index", "0"],
      ["x", "on"],
    ]);
    expect([
      qemuSizeBytes("32", 2 ** 20),
      qemuSizeBytes("65536k", 2 ** 20),
      qemuSizeBytes("1.5G", 2 ** 20),
      qemuSizeBytes("2GiB", 1),
    ]).toEqual([32 << 20, 64 << 20, 1.5 * 2 ** 30, 2 ** 31]);
    expect(qemuSizeBytes("lots", 1)).toBeUndefined();
  });
});
