import { m as decodeXmlEntities } from "./dist-rueI_kuv.js";
// ../../work/main/packages/machine/dist/node/save-image/save-image-error.js
/** A failed save, restore or image edit. */
var SaveRestoreError = class extends Error {
	code;
	name = "SaveRestoreError";
	constructor(code, message, options) {
		super(message, options);
		this.code = code;
	}
};
/** libvirt's refusal of `--running` together with `--paused`. */
function exclusiveFlagsError() {
	return new SaveRestoreError("FLAGS_EXCLUSIVE", "Flags 'VIR_DOMAIN_SAVE_RUNNING' and 'VIR_DOMAIN_SAVE_PAUSED' are mutually exclusive");
}
/** The run state a restore or redefinition asks for, from virsh's pair of flags. */
function runStateFromFlags(flags) {
	if (flags.running && flags.paused) throw exclusiveFlagsError();
	return flags.running ? "running" : flags.paused ? "paused" : void 0;
}
// ../../work/main/packages/machine/dist/node/save-image/xml-tree.js
const MAX_DEPTH = 256;
/**
* Parses a document into elements, tolerantly: comments, processing instructions and the
* doctype are skipped, and malformed input ends the parse with what was read so far. Depth is
* bounded and the work is linear, so untrusted XML from an image cannot run away.
*/
function parseXml(xml) {
	const root = {
		name: "",
		attributes: {},
		children: [],
		text: ""
	};
	const stack = [root];
	let at = 0;
	while (at < xml.length) {
		const lt = xml.indexOf("<", at);
		const top = stack[stack.length - 1];
		if (lt < 0) break;
		if (lt > at && stack.length > 1) top.text += decodeXmlEntities(xml.slice(at, lt));
		if (xml.startsWith("<!--", lt)) {
			const end = xml.indexOf("-->", lt + 4);
			if (end < 0) break;
			at = end + 3;
		} else if (xml.startsWith("<![CDATA[", lt)) {
			const end = xml.indexOf("]]>", lt + 9);
			if (end < 0) break;
			top.text += xml.slice(lt + 9, end);
			at = end + 3;
		} else if (xml.startsWith("<?", lt) || xml.startsWith("<!", lt)) {
			const end = xml.indexOf(">", lt);
			if (end < 0) break;
			at = end + 1;
		} else if (xml[lt + 1] === "/") {
			const end = xml.indexOf(">", lt);
			if (end < 0) break;
			if (stack.length > 1) stack.pop();
			at = end + 1;
		} else {
			const tag = /^<([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/.exec(xml.slice(lt, lt + 65536));
			if (!tag) break;
			const element = {
				name: tag[1],
				attributes: {},
				children: [],
				text: ""
			};
			for (const a of tag[2].matchAll(/([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) element.attributes[a[1]] = decodeXmlEntities(a[2] ?? a[3] ?? "");
			top.children.push(element);
			if (tag[3] !== "/") {
				if (stack.length > MAX_DEPTH) break;
				stack.push(element);
			}
			at = lt + tag[0].length;
		}
	}
	const document = root.children[0];
	if (document) bindNamespaces(document);
	return document;
}
/** The first child named `name` (as written, prefix included). */
function child(element, name) {
	return element?.children.find((c) => c.name === name);
}
/** Children whose local name is `local` and whose prefix is bound to `namespace`. */
function childrenInNamespace(element, namespace, local) {
	if (!element) return [];
	return element.children.filter((c) => {
		const colon = c.name.indexOf(":");
		const prefix = colon < 0 ? "" : c.name.slice(0, colon);
		return (colon < 0 ? c.name : c.name.slice(colon + 1)) === local && scopes.get(c)?.[prefix === "" ? "xmlns" : `xmlns:${prefix}`] === namespace;
	});
}
const scopes = /* @__PURE__ */ new WeakMap();
function bindNamespaces(element, inherited = {}) {
	const scope = { ...inherited };
	for (const [key, value] of Object.entries(element.attributes)) if (key === "xmlns" || key.startsWith("xmlns:")) scope[key] = value;
	scopes.set(element, scope);
	for (const c of element.children) bindNamespaces(c, scope);
}
/** Escapes text for an attribute value in single or double quotes, or element content. */
function escapeXml(text) {
	return text.replace(/[&<>"']/g, (c) => `&${{
		"&": "amp",
		"<": "lt",
		">": "gt",
		"\"": "quot",
		"'": "apos"
	}[c]};`);
}
// ../../work/main/packages/machine/dist/node/save-image/hardware-xml.js
function attrs(values) {
	return Object.entries(values).map(([k, v]) => ` ${k}='${escapeXml(v)}'`).join("");
}
function address(a) {
	if (!a) return "";
	const hex = (n, width) => `0x${n.toString(16).padStart(width, "0")}`;
	return `<address type='pci' domain='0x0000' bus='0x00' slot='${hex(a.slot, 2)}' function='${hex(a.function, 1)}'/>`;
}
function charDevice(element, source) {
	switch (source.type) {
		case "null":
		case "pty": return `<${element} type='${source.type}'/>`;
		case "file": return `<${element} type='file'><source${attrs({
			path: source.path,
			...source.append ? { append: "on" } : {}
		})}/></${element}>`;
		case "unix": return `<${element} type='unix'><source${attrs({
			mode: source.mode,
			path: source.path
		})}/></${element}>`;
		case "tcp": return `<${element} type='tcp'><source${attrs({
			mode: source.mode,
			host: source.host,
			service: source.port
		})}/><protocol type='raw'/></${element}>`;
	}
}
function device(d) {
	switch (d.kind) {
		case "usb": return `<controller type='usb' index='0' model='${escapeXml(d.model)}'>${address(d.address)}</controller>`;
		case "memballoon": return `<memballoon model='${d.model}'>${address(d.address)}</memballoon>`;
		case "serial":
		case "parallel": return charDevice(d.kind, d.source);
		case "video": return `<video><model type='${escapeXml(d.model)}'${d.model === "vga" ? " vram='16384' heads='1' primary='yes'" : ""}/>${address(d.address)}</video>`;
		case "user-net": return `<interface type='user'><mac address='${escapeXml(d.mac)}'/><model type='${escapeXml(d.model)}'/>${address(d.address)}</interface>`;
		case "cdrom": return `<disk type='file' device='cdrom'><target dev='${escapeXml(d.target)}' bus='ide'/><readonly/></disk>`;
		case "floppy": return `<disk type='file' device='floppy'><target dev='${escapeXml(d.target)}' bus='fdc'/></disk>`;
	}
}
/** `<os>` children after `<type>`: firmware, kernel, boot order and menu. */
function osXml(h, indent) {
	const os = h.os;
	let xml = "";
	if (os.loader !== void 0) xml += `${indent}<loader type='rom'>${escapeXml(os.loader)}</loader>\n`;
	if (os.kernel !== void 0) xml += `${indent}<kernel>${escapeXml(os.kernel)}</kernel>\n`;
	if (os.initrd !== void 0) xml += `${indent}<initrd>${escapeXml(os.initrd)}</initrd>\n`;
	if (os.cmdline !== void 0) xml += `${indent}<cmdline>${escapeXml(os.cmdline)}</cmdline>\n`;
	if (os.dtb !== void 0) xml += `${indent}<dtb>${escapeXml(os.dtb)}</dtb>\n`;
	for (const dev of os.boot) xml += `${indent}<boot dev='${dev}'/>\n`;
	if (os.bootMenu !== void 0) xml += `${indent}<bootmenu enable='${os.bootMenu ? "yes" : "no"}'/>\n`;
	if (os.rebootTimeout !== void 0) xml += `${indent}<bios rebootTimeout='${os.rebootTimeout}'/>\n`;
	return xml;
}
/** `<memoryBacking>`, `<cpu>` and `<clock>`, in libvirt's order. */
function platformXml(h, indent) {
	let xml = "";
	if (h.lockedMemory) xml += `${indent}<memoryBacking><locked/></memoryBacking>\n`;
	const cpu = h.cpu;
	const topology = h.topology ? `<topology${attrs(Object.fromEntries(Object.entries(h.topology).map(([k, v]) => [k, String(v)])))}/>` : "";
	if (cpu?.mode === "custom") xml += `${indent}<cpu mode='custom' match='exact' check='none'><model fallback='forbid'>${escapeXml(cpu.model ?? "qemu64")}</model>${topology}</cpu>\n`;
	else if (cpu) xml += `${indent}<cpu mode='${cpu.mode}' check='none' migratable='on'>${topology}</cpu>\n`;
	else if (topology) xml += `${indent}<cpu>${topology}</cpu>\n`;
	const clock = h.clock;
	const timers = clock.timers.map((t) => `<timer${attrs(t)}/>`).join("");
	const start = clock.start !== void 0 ? ` start='${clock.start}'` : "";
	xml += timers ? `${indent}<clock offset='${clock.offset}'${start}>${timers}</clock>\n` : `${indent}<clock offset='${clock.offset}'${start}/>\n`;
	return xml;
}
/** The `<devices>` children savevm describes (after `<emulator>`). */
function devicesXml(h, indent) {
	return h.devices.map((d) => `${indent}${device(d)}\n`).join("");
}
// ../../work/main/packages/machine/dist/node/save-image/domain-xml.js
/** libvirt's namespace for raw QEMU arguments (`<qemu:commandline>`). */
const QEMU_XML_NAMESPACE = "http://libvirt.org/schemas/domain/qemu/1.0";
/** savevm's namespace for what brings a machine back (inside `<metadata>`). */
const SAVEVM_XML_NAMESPACE = "https://savevm.dev/schemas/domain/1.0";
function args(prefix, values, indent) {
	return values.map((v) => `${indent}<${prefix}:arg value='${escapeXml(v)}'/>\n`).join("");
}
/**
* A libvirt-valid `<domain>` for the machine: name, UUID, memory, vCPUs, `os/type` with the
* machine type, the emulator, then savevm's metadata and the QEMU arguments libvirt does not
* model in `qemu:commandline`, so both `virsh restore` and `savevm restore` can bring it back.
*/
function buildDomainXml(d) {
	const qemuArgs = d.qemuArgs ?? [];
	const ns = qemuArgs.length > 0 ? ` xmlns:qemu='${QEMU_XML_NAMESPACE}'` : "";
	let xml = `<domain type='${escapeXml(d.virtType ?? "qemu")}'${ns}>\n`;
	xml += `  <name>${escapeXml(d.name)}</name>\n`;
	xml += `  <uuid>${escapeXml(d.uuid)}</uuid>\n`;
	if (d.savevm) {
		xml += "  <metadata>\n";
		if (d.savevm.kind === "savevm") xml += `    <savevm:machine xmlns:savevm='${SAVEVM_XML_NAMESPACE}' kind='savevm'>\n${args("savevm", d.savevm.runArgs, "      ")}    </savevm:machine>\n`;
		else {
			xml += `    <savevm:machine xmlns:savevm='${SAVEVM_XML_NAMESPACE}' kind='qemu' binary='${escapeXml(d.savevm.binary)}'>\n`;
			xml += `${args("savevm", d.savevm.argv, "      ")}    </savevm:machine>\n`;
		}
		xml += "  </metadata>\n";
	}
	xml += `  <memory unit='KiB'>${d.memoryKiB}</memory>\n`;
	xml += `  <currentMemory unit='KiB'>${d.memoryKiB}</currentMemory>\n`;
	const h = d.hardware;
	const current = h?.vcpuCurrent !== void 0 ? ` current='${h.vcpuCurrent}'` : "";
	xml += `  <vcpu placement='static'${current}>${d.vcpus}</vcpu>\n`;
	xml += "  <os>\n";
	xml += `    <type arch='${escapeXml(d.arch ?? "x86_64")}' machine='${escapeXml(d.machineType)}'>hvm</type>\n`;
	if (h) xml += osXml(h, "    ");
	xml += "  </os>\n";
	if ((d.arch ?? "x86_64") === "x86_64" || d.arch === "i686") xml += `  <features>\n${d.acpi === false ? "" : "    <acpi/>\n"}    <apic/>\n  </features>\n`;
	if (h) xml += platformXml(h, "  ");
	xml += `  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>${h?.onReboot ?? "restart"}</on_reboot>\n  <on_crash>destroy</on_crash>\n`;
	xml += "  <devices>\n";
	if (d.emulator) xml += `    <emulator>${escapeXml(d.emulator)}</emulator>\n`;
	if (h) xml += devicesXml(h, "    ");
	xml += "  </devices>\n";
	if (qemuArgs.length > 0) xml += `  <qemu:commandline>\n${args("qemu", qemuArgs, "    ")}  </qemu:commandline>\n`;
	xml += "</domain>\n";
	return xml;
}
const UNIT_KIB = {
	b: 1 / 1024,
	bytes: 1 / 1024,
	k: 1,
	kib: 1,
	kb: .9765625,
	m: 1024,
	mib: 1024,
	mb: 976.5625,
	g: 1024 ** 2,
	gib: 1024 ** 2,
	gb: 976562.5,
	t: 1024 ** 3,
	tib: 1024 ** 3,
	tb: 976562500
};
/** A libvirt scaled integer (`<memory unit='MiB'>16</memory>`) in KiB; default unit KiB. */
function memoryKiB(element) {
	if (!element) return void 0;
	const value = Number(element.text.trim());
	const unit = UNIT_KIB[(element.attributes.unit ?? "KiB").toLowerCase()];
	if (!Number.isFinite(value) || unit === void 0) return void 0;
	return Math.round(value * unit);
}
function argValues(element, namespace) {
	return childrenInNamespace(element, namespace, "arg").map((a) => a.attributes.value ?? "");
}
/** The parts of a domain XML that save and restore use. Fields the XML lacks are absent. */
function readDomainDescription(xml) {
	const domain = parseXml(xml);
	if (!domain || domain.name !== "domain") return {};
	const out = {};
	const text = (name) => child(domain, name)?.text.trim();
	const name = text("name");
	if (name !== void 0) out.name = name;
	const uuid = text("uuid");
	if (uuid !== void 0) out.uuid = uuid.toLowerCase();
	const memory = memoryKiB(child(domain, "memory"));
	if (memory !== void 0) out.memoryKiB = memory;
	const vcpu = child(domain, "vcpu");
	if (vcpu) out.vcpus = Number(vcpu.text.trim());
	if (domain.attributes.type !== void 0) out.virtType = domain.attributes.type;
	const osType = child(child(domain, "os"), "type");
	if (osType?.attributes.machine !== void 0) out.machineType = osType.attributes.machine;
	if (osType?.attributes.arch !== void 0) out.arch = osType.attributes.arch;
	const features = child(domain, "features");
	if (features) out.acpi = child(features, "acpi") !== void 0;
	const emulator = child(child(domain, "devices"), "emulator")?.text.trim();
	if (emulator) out.emulator = emulator;
	const commandline = childrenInNamespace(domain, QEMU_XML_NAMESPACE, "commandline")[0];
	if (commandline) out.qemuArgs = argValues(commandline, QEMU_XML_NAMESPACE);
	const machine = childrenInNamespace(child(domain, "metadata"), SAVEVM_XML_NAMESPACE, "machine")[0];
	if (machine?.attributes.kind === "savevm") out.savevm = {
		kind: "savevm",
		runArgs: argValues(machine, SAVEVM_XML_NAMESPACE)
	};
	else if (machine?.attributes.kind === "qemu") out.savevm = {
		kind: "qemu",
		binary: machine.attributes.binary ?? "qemu-system-x86_64",
		argv: argValues(machine, SAVEVM_XML_NAMESPACE)
	};
	return out;
}
/**
* libvirt's ABI check for `save-image-define` (virDomainDefCheckABIStability), for what it
* checks first: the name, the UUID and the memory must stay. Words as libvirt 9.0 prints them.
*/
function checkAbiStability(sourceXml, targetXml) {
	const source = readDomainDescription(sourceXml);
	const target = readDomainDescription(targetXml);
	if (target.name === void 0 || target.uuid === void 0) throw new SaveRestoreError("ABI_MISMATCH", "XML error: the new domain XML has no <name> or <uuid>");
	const mismatch = (what) => new SaveRestoreError("ABI_MISMATCH", `unsupported configuration: ${what}`);
	if (source.virtType !== void 0 && target.virtType !== source.virtType) throw mismatch(`Target domain virt type ${target.virtType} does not match source ${source.virtType}`);
	if (source.uuid !== void 0 && target.uuid !== source.uuid) throw mismatch(`Target domain uuid ${target.uuid} does not match source ${source.uuid}`);
	if (source.name !== void 0 && target.name !== source.name) throw mismatch(`Target domain name '${target.name}' does not match source '${source.name}'`);
	if (source.memoryKiB !== void 0 && target.memoryKiB !== source.memoryKiB) throw mismatch(`Target domain max memory ${target.memoryKiB ?? 0} does not match source ${source.memoryKiB}`);
}
export { runStateFromFlags as a, SaveRestoreError as i, checkAbiStability as n, readDomainDescription as r, buildDomainXml as t };
