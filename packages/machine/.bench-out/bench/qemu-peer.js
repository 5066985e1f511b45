import { spawn } from "node:child_process";
import { rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { QmpClient } from "@savevm/qmp/node";
export const QEMU = "/usr/bin/qemu-system-x86_64";
/** A QEMU 7.2 process (TCG, no devices) with QMP on a unix socket. */
export class QemuPeer {
    child;
    qmp;
    constructor(child, qmp) {
        this.child = child;
        this.qmp = qmp;
    }
    static async start(dir, name, memory, extra) {
        const sock = join(dir, `${name}.qmp`);
        rmSync(sock, { force: true });
        const child = spawn(QEMU, ["-accel", "tcg", "-display", "none", "-nodefaults", "-m", memory, "-S", "-qmp", `unix:${sock},server=on,wait=off`, ...extra], {
            stdio: ["ignore", "ignore", "inherit"],
        });
        running.add(child);
        const qmp = await connectWhenReady(sock, child);
        await qmp.execute("migrate-set-capabilities", { capabilities: [{ capability: "events", state: true }] });
        return new QemuPeer(child, qmp);
    }
    /** Runs `start` and resolves with the milliseconds until MIGRATION completed. */
    async timeMigration(start) {
        const done = this.qmp.waitEvent("MIGRATION", {
            filter: (e) => e.data?.["status"] === "completed" || e.data?.["status"] === "failed",
            timeoutMs: 120_000,
        });
        const t0 = performance.now();
        await start();
        const event = await done;
        const ms = performance.now() - t0;
        if (event.data?.["status"] !== "completed")
            throw new Error(`QEMU migration ${String(event.data?.["status"])}`);
        return ms;
    }
    /** `migrate` to a file (7.2 has no file: URI, so through `exec:cat`). */
    async save(file) {
        rmSync(file, { force: true });
        const ms = await this.timeMigration(() => this.qmp.execute("migrate", { uri: `exec:cat > '${file}'` }));
        return { ms, bytes: statSync(file).size };
    }
    async restore(file) {
        return this.timeMigration(() => this.qmp.execute("migrate-incoming", { uri: `exec:cat '${file}'` }));
    }
    async stop() {
        await this.qmp.execute("quit").catch(() => undefined);
        await this.qmp.close().catch(() => undefined);
        if (this.child.exitCode === null)
            await new Promise((r) => this.child.once("exit", r));
        running.delete(this.child);
    }
}
const running = new Set();
/** QEMU creates its socket a moment after it starts. */
async function connectWhenReady(sock, child) {
    for (let i = 0; i < 400; i++) {
        if (child.exitCode !== null)
            throw new Error(`QEMU exited with ${child.exitCode}`);
        try {
            return await QmpClient.connect(`unix:${sock}`);
        }
        catch {
            await new Promise((r) => setTimeout(r, 25));
        }
    }
    throw new Error("QEMU's QMP socket did not appear");
}
export function killQemus() {
    for (const c of running)
        if (c.exitCode === null)
            c.kill("SIGKILL");
    running.clear();
}
