import { QmpClient } from "@savevm/qmp/node";

/** One QMP command on a fresh connection, closed afterwards (QEMU serves one client at a time). */
export async function qmpOnce<T>(address: string, command: string, args?: object): Promise<T> {
  const client = await QmpClient.connect(address, { greetingTimeoutMs: 10_000 });
  try {
    return await client.execute<T>(command, args);
  } finally {
    await client.close();
  }
}
