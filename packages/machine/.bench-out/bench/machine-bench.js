/**
 * `npm run bench -w @savevm/machine`: stop-and-save and restore of a 1 GiB guest holding
 * 768 MiB of mixed content (50% zero, 10% uniform, 15% duplicate, 25% random pages), a pre-copy
 * migration while the guest dirties 50 MiB/s, and QEMU 7.2 (TCG, same RAM size, the same
 * content placed with -device loader) saving to a file and loading from it, in the same run.
 * Each timing is reported as the best and the median of --runs (default 3); `--json` prints
 * machine-readable results. Disk and page-fault costs vary a lot between runs on shared hosts.
 */
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMachine } from "@savevm/machine";
import { FileOutputChannel, nodeBackends, openFileInput } from "@savevm/machine/node";
import { killQemus, QemuPeer } from "./qemu-peer.js";
const GiB = 1 << 30;
const CONTENT_PAGES = (768 << 20) / 4096;
const QEMU_CONTENT_ADDR = 0x1000000;
const MIX = { zero: 50, uniform: 10, duplicate: 15, random: 25 };
const args = process.argv.slice(2);
const json = args.includes("--json");
const runsArg = args.indexOf("--runs");
const runs = runsArg >= 0 ? Math.max(1, Number(args[runsArg + 1])) : 3;
const log = (line) => {
    if (!json)
        process.stderr.write(`${line}\n`);
};
function gc() {
    globalThis.gc?.();
}
function best(values) {
    return Math.min(...values);
}
function median(values) {
    const v = [...values].sort((a, b) => a - b);
    const mid = v.length >> 1;
    return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}
function machine(config) {
    return createMachine(config, nodeBackends());
}
async function sleep(ms) {
    await new Promise((r) => setTimeout(r, ms));
}
async function main() {
    const dir = mkdtempSync(join(tmpdir(), "savevm-machine-bench-"));
    try {
        log(`preparing a 1 GiB guest with 768 MiB of mixed content in ${dir}`);
        const source = machine({ memory: GiB, startPaused: true, guest: { seed: 1, workload: { ...defaultWorkload(), mix: MIX } } });
        source.populate(0, CONTENT_PAGES);
        source.setParameters({ "max-bandwidth": 0 });
        const contentFile = join(dir, "content.bin");
        const fd = openSync(contentFile, "w");
        for (let at = 0; at < CONTENT_PAGES * 4096;) {
            const span = source.mainRam.memory.span(at, 16 << 20);
            writeSync(fd, span);
            at += span.length;
        }
        closeSync(fd);
        // ---- ours: stop-and-save, restore ----------------------------------------------------
        const ourFile = join(dir, "ours.mig");
        const saveMs = [];
        let ourBytes = 0;
        for (let r = 0; r < runs; r++) {
            rmSync(ourFile, { force: true });
            await sleep(200);
            const t0 = performance.now();
            const migration = source.migrate(new FileOutputChannel(ourFile));
            await migration.done;
            saveMs.push(performance.now() - t0);
            if (migration.status !== "completed")
                throw new Error(`save ${migration.status}: ${migration.error ?? ""}`);
            ourBytes = statSync(ourFile).size;
            log(`  savevm save #${r + 1}: ${saveMs.at(-1).toFixed(0)} ms, ${ourBytes} bytes`);
            // Like QEMU, a machine that completed a migration will not migrate again until it runs
            // or is reset; the reset keeps RAM, so the next save writes the same pages.
            if (r < runs - 1)
                source.systemReset();
        }
        const expected = await source.digest();
        const restoreMs = [];
        for (let r = 0; r < runs; r++) {
            gc();
            await sleep(200);
            const target = machine({ memory: GiB, incoming: true, startPaused: true });
            const t0 = performance.now();
            await target.incoming(await openFileInput(ourFile));
            restoreMs.push(performance.now() - t0);
            if (r === 0) {
                const got = await target.digest();
                if (got.ram !== expected.ram || got.devices !== expected.devices)
                    throw new Error("restored machine differs from the saved one");
            }
            target.destroy();
            log(`  savevm restore #${r + 1}: ${restoreMs.at(-1).toFixed(0)} ms`);
        }
        source.destroy();
        gc();
        // ---- ours: pre-copy with the guest dirtying 50 MiB/s ----------------------------------
        const live = machine({
            memory: GiB,
            guest: { seed: 2, workload: { ...defaultWorkload(), mix: MIX }, pacing: { rate: 50 << 20 } },
        });
        live.populate(0, CONTENT_PAGES);
        await sleep(500);
        const liveFile = join(dir, "live.mig");
        const stepsBefore = live.guest.state.steps;
        const t0 = performance.now();
        const liveMigration = live.migrate(new FileOutputChannel(liveFile));
        await liveMigration.done;
        const liveMs = performance.now() - t0;
        const liveInfo = live.queryMigrate();
        const dirtied = (live.guest.state.steps - stepsBefore) * live.guest.state.workload.pagesPerStep * 4096;
        log(`  savevm pre-copy: ${liveInfo.status}, ${liveMs.toFixed(0)} ms, downtime ${liveInfo.downtime} ms`);
        live.destroy();
        gc();
        // ---- QEMU 7.2 ---------------------------------------------------------------------------
        const qemuFile = join(dir, "qemu.mig");
        const qemuSaveMs = [];
        let qemuBytes = 0;
        for (let r = 0; r < runs; r++) {
            // QEMU refuses a second migrate after a completed one, so each run gets a fresh process.
            const peer = await QemuPeer.start(dir, "src", "1G", ["-device", `loader,file=${contentFile},addr=0x${QEMU_CONTENT_ADDR.toString(16)},force-raw=on`]);
            await peer.qmp.execute("migrate-set-parameters", { "max-bandwidth": 9223372036853727232n });
            await sleep(200);
            const { ms, bytes } = await peer.save(qemuFile);
            qemuSaveMs.push(ms);
            qemuBytes = bytes;
            log(`  QEMU save #${r + 1}: ${ms.toFixed(0)} ms, ${bytes} bytes`);
            await peer.stop();
        }
        const qemuRestoreMs = [];
        for (let r = 0; r < runs; r++) {
            const dst = await QemuPeer.start(dir, "dst", "1G", ["-incoming", "defer"]);
            await sleep(200);
            qemuRestoreMs.push(await dst.restore(qemuFile));
            log(`  QEMU restore #${r + 1}: ${qemuRestoreMs.at(-1).toFixed(0)} ms`);
            await dst.stop();
        }
        const results = {
            runs,
            guest: { ram: GiB, content: CONTENT_PAGES * 4096, mix: MIX },
            savevm: {
                save: { seconds: best(saveMs) / 1000, bytes: ourBytes, all: saveMs.map((m) => m / 1000) },
                restore: { seconds: best(restoreMs) / 1000, all: restoreMs.map((m) => m / 1000) },
                precopy: {
                    status: liveInfo.status,
                    seconds: liveMs / 1000,
                    downtimeMs: liveInfo.downtime,
                    bytes: statSync(liveFile).size,
                    passes: liveInfo.ram?.["dirty-sync-count"],
                    guestDirtiedBytes: dirtied,
                },
            },
            qemu: {
                save: { seconds: best(qemuSaveMs) / 1000, bytes: qemuBytes, all: qemuSaveMs.map((m) => m / 1000) },
                restore: { seconds: best(qemuRestoreMs) / 1000, all: qemuRestoreMs.map((m) => m / 1000) },
            },
            ratio: {
                saveTime: best(saveMs) / best(qemuSaveMs),
                saveTimeMedian: median(saveMs) / median(qemuSaveMs),
                saveBytes: ourBytes / qemuBytes,
                restoreTime: best(restoreMs) / best(qemuRestoreMs),
                restoreTimeMedian: median(restoreMs) / median(qemuRestoreMs),
            },
        };
        if (json) {
            process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
            return;
        }
        const row = (name, seconds, med, bytes, vs) => `${name.padEnd(44)}${seconds.padStart(8)}${med.padStart(8)}${bytes.padStart(12)}  ${vs}`;
        const r = results.ratio;
        const out = [
            row(`case (${runs} runs)`, "best s", "median", "bytes", "savevm / QEMU 7.2 (best; median)"),
            row("savevm stop-and-save 1 GiB (768 MiB mixed)", results.savevm.save.seconds.toFixed(3), (median(saveMs) / 1000).toFixed(3), String(ourBytes), `time ${r.saveTime.toFixed(2)}x; ${r.saveTimeMedian.toFixed(2)}x, size ${r.saveBytes.toFixed(4)}x`),
            row("QEMU 7.2 migrate to file (exec:cat)", results.qemu.save.seconds.toFixed(3), (median(qemuSaveMs) / 1000).toFixed(3), String(qemuBytes), ""),
            row("savevm restore", results.savevm.restore.seconds.toFixed(3), (median(restoreMs) / 1000).toFixed(3), "", `time ${r.restoreTime.toFixed(2)}x; ${r.restoreTimeMedian.toFixed(2)}x`),
            row("QEMU 7.2 incoming from file (exec:cat)", results.qemu.restore.seconds.toFixed(3), (median(qemuRestoreMs) / 1000).toFixed(3), "", ""),
            row("savevm pre-copy, guest dirtying 50 MiB/s", results.savevm.precopy.seconds.toFixed(3), "", String(results.savevm.precopy.bytes), `downtime ${results.savevm.precopy.downtimeMs} ms, ${results.savevm.precopy.passes} passes, guest wrote ${(dirtied / 2 ** 20).toFixed(0)} MiB`),
        ];
        process.stdout.write(`${out.join("\n")}\n`);
    }
    finally {
        killQemus();
        rmSync(dir, { recursive: true, force: true });
    }
}
function defaultWorkload() {
    return { pagesPerStep: 16, mix: MIX, hotPercent: 0, hotStart: 0, hotPages: 0, duplicatePatterns: 16 };
}
main().catch((err) => {
    killQemus();
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
});
