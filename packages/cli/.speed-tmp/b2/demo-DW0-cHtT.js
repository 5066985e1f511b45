import { a as parseSize } from "./workload-CSMEcy3k.js";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { a as createMachine, f as PAGE_SIZE, n as FileOutputChannel, r as openFileInput, t as nodeBackends } from "./node-backends-NH9N-Q3R.js";
import { n as UsageError } from "./cli-error-a_dr6oY-.js";
import { n as humanBytes, r as renderTable } from "./table-Dt_cYIdp.js";
// ../../work/main/packages/machine/dist/node/live-snapshot-demo.js
/**
* The README's main job, as a function: a machine whose guest keeps writing RAM takes a live
* point-in-time snapshot to a file; a second machine is restored from that file; the restored
* digest is compared with the source's state at T0 (reproduced by replaying the deterministic
* guest to T0's step count, so nothing has to be hashed while the guest is paused).
*/
async function liveSnapshotDemo(options = {}) {
	const memory = options.memory ?? 256 << 20;
	const fill = options.fill ?? Math.floor(memory * 3 / 4 / 4096) * 4096;
	const rate = options.rate ?? 64 << 20;
	const say = options.onStep ?? (() => void 0);
	const guest = {
		seed: options.seed ?? 1,
		fill
	};
	const config = {
		memory,
		guest: {
			...guest,
			pacing: { rate }
		},
		...options.queuePages ? { snapshotQueuePages: options.queuePages } : {}
	};
	const tempDir = options.file ? void 0 : mkdtempSync(join(tmpdir(), "savevm-demo-"));
	const file = options.file ?? join(tempDir, "live.mig");
	const machines = [];
	const machine = (c) => {
		const m = createMachine(c, nodeBackends());
		machines.push(m);
		return m;
	};
	try {
		say(`machine A: ${memory >> 20} MiB of RAM, ${fill >> 20} MiB filled, the guest writing ${(rate / 2 ** 20).toFixed(0)} MiB/s`);
		const source = machine(config);
		const warmup = options.warmupMs ?? 500;
		const before = {
			steps: source.guest.state.steps,
			at: performance.now()
		};
		await new Promise((r) => setTimeout(r, warmup));
		const bytesPerStep = source.guest.state.workload.pagesPerStep * PAGE_SIZE;
		const rateBefore = (source.guest.state.steps - before.steps) * bytesPerStep * 1e3 / (performance.now() - before.at);
		source.setCapabilities([{
			capability: "background-snapshot",
			state: true
		}, {
			capability: "x-dedup",
			state: options.dedup ?? false
		}]);
		source.setParameters({ "max-bandwidth": 0 });
		let stepsAtT0 = -1;
		source.events.on((e) => {
			if (e.event === "STOP" && stepsAtT0 < 0) stepsAtT0 = source.guest.state.steps;
		});
		say(`live snapshot of A to ${file} while its guest keeps writing`);
		const started = performance.now();
		const migration = source.migrate(new FileOutputChannel(file));
		await migration.done;
		const snapshotMs = performance.now() - started;
		if (migration.status !== "completed") throw new Error(`the snapshot ${migration.status}: ${migration.error ?? ""}`);
		const stepsAtEnd = source.guest.state.steps;
		const rateDuring = (stepsAtEnd - stepsAtT0) * bytesPerStep * 1e3 / snapshotMs;
		source.stop();
		const sourceAtEnd = await source.digest();
		const stats = source.ramHandler.stats;
		const snapshot = source.lastLiveSnapshot;
		say("machine B: restored from the file");
		const restoredMachine = machine({
			memory,
			incoming: true,
			startPaused: true
		});
		const restoreStart = performance.now();
		await restoredMachine.incoming(await openFileInput(file));
		const restoreMs = performance.now() - restoreStart;
		const restored = await restoredMachine.digest();
		say(`machine R: A's guest replayed to T0 (step ${stepsAtT0})`);
		const reference = machine({
			memory,
			startPaused: true,
			guest
		});
		reference.step(stepsAtT0);
		const t0 = await reference.digest();
		return {
			memory,
			fileBytes: statSync(file).size,
			file: options.file,
			pauseMs: migration.pauseMs ?? 0,
			snapshotMs,
			restoreMs,
			pages: {
				zero: stats.duplicate - stats.uniform,
				uniform: stats.uniform,
				dedup: stats.dedup,
				normal: stats.normal
			},
			queue: {
				capacity: snapshot.queue.capacity,
				highWater: snapshot.queue.highWater,
				copied: snapshot.queue.copied
			},
			guest: {
				rateBefore,
				rateDuring,
				stalls: snapshot.stall.stalls,
				stalledMs: snapshot.stall.stalledMs,
				stepsAtT0,
				stepsAtEnd
			},
			digests: {
				t0,
				restored,
				sourceAtEnd
			},
			equal: t0.ram === restored.ram && t0.devices === restored.devices && t0.steps === restored.steps
		};
	} finally {
		for (const m of machines) m.destroy();
		if (tempDir) rmSync(tempDir, {
			recursive: true,
			force: true
		});
	}
}
// ../../work/main/packages/cli/dist/commands/demo.js
function registerDemo(program) {
	program.command("demo").description("take a live snapshot of a running guest, restore it on a second machine and compare the digests with the guest at T0").option("--memory <size>", "guest RAM", "256M").option("--rate <size>", "bytes per second the guest writes while it runs", "64M").option("--fill <size>", "RAM the guest fills with its mix first (default: 3/4 of RAM)").option("--queue <pages>", "pages of the copy-before-write queue").option("--dedup", "write duplicate pages as references (the x-dedup extension)").option("--file <path>", "keep the snapshot in this file (default: a temporary file)").option("--json", "the report as JSON").action(async (flags) => {
		const queuePages = flags.queue === void 0 ? void 0 : Number(flags.queue);
		if (queuePages !== void 0 && (!Number.isInteger(queuePages) || queuePages < 1)) throw new UsageError(`--queue: not a positive number of pages: ${flags.queue}`);
		const report = await liveSnapshotDemo({
			memory: parseSize(flags.memory, "memory size"),
			rate: parseSize(flags.rate, "guest rate"),
			...flags.fill !== void 0 ? { fill: parseSize(flags.fill, "guest fill") } : {},
			...queuePages !== void 0 ? { queuePages } : {},
			dedup: flags.dedup === true,
			...flags.file !== void 0 ? { file: flags.file } : {},
			...flags.json ? {} : { onStep: (line) => process.stderr.write(`${line}\n`) }
		});
		process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
		if (!report.equal) process.exitCode = 1;
	});
}
function keyValues(rows) {
	const width = Math.max(...rows.map(([k]) => k.length));
	return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
}
const mibps = (bytesPerSecond) => `${(bytesPerSecond / 2 ** 20).toFixed(1)} MiB/s`;
function renderReport(r) {
	const d = r.digests;
	const pages = r.pages.zero + r.pages.uniform + r.pages.dedup + r.pages.normal;
	return [
		"",
		r.equal ? "the restored machine equals the source at T0 (RAM, devices, guest step), not the source at the end" : "MISMATCH: the restored machine differs from the source at T0",
		renderTable([
			{ header: "machine" },
			{ header: "RAM sha256" },
			{ header: "devices sha256" },
			{
				header: "step",
				align: "right"
			}
		], [
			[
				"source at T0",
				d.t0.ram.slice(0, 16),
				d.t0.devices.slice(0, 16),
				String(d.t0.steps)
			],
			[
				"restored",
				d.restored.ram.slice(0, 16),
				d.restored.devices.slice(0, 16),
				String(d.restored.steps)
			],
			[
				"source at the end",
				d.sourceAtEnd.ram.slice(0, 16),
				d.sourceAtEnd.devices.slice(0, 16),
				String(d.sourceAtEnd.steps)
			]
		]),
		"",
		...keyValues([
			["guest paused at T0", `${r.pauseMs.toFixed(2)} ms`],
			["snapshot written in", `${r.snapshotMs.toFixed(0)} ms`],
			["restored in", `${r.restoreMs.toFixed(0)} ms`],
			["guest writes before / during", `${mibps(r.guest.rateBefore)} / ${mibps(r.guest.rateDuring)}`],
			["file size", `${humanBytes(r.fileBytes)} (${(r.fileBytes / r.memory * 100).toFixed(1)}% of ${humanBytes(r.memory)} RAM)`],
			["queue high-water mark", `${r.queue.highWater} of ${r.queue.capacity} pages (${humanBytes(r.queue.highWater * 4096)}); ${r.queue.copied} pages copied before a guest write`],
			["guest waits for the queue", `${r.guest.stalls} (${r.guest.stalledMs.toFixed(0)} ms)`]
		]),
		"",
		`pages (${pages}, each written once)`,
		renderTable([
			{ header: "kind" },
			{
				header: "pages",
				align: "right"
			},
			{ header: "written as" }
		], [
			[
				"zero",
				String(r.pages.zero),
				"ZERO record (9 bytes)"
			],
			[
				"uniform",
				String(r.pages.uniform),
				"ZERO record with the fill byte (QEMU 7.2 loads it; 8.2+ does not)"
			],
			[
				"duplicate",
				String(r.pages.dedup),
				"x-dedup reference (16 bytes)"
			],
			[
				"other",
				String(r.pages.normal),
				"PAGE record (4 KiB + 8 bytes)"
			]
		]),
		""
	].join("\n");
}
export { registerDemo };
