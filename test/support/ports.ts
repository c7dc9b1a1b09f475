import net from "node:net";

/** Lowest and highest base port tried when a server needs several neighbouring ports. */
const PORT_RANGE_LOW = 20_000;
const PORT_RANGE_HIGH = 60_000;
const PORT_ATTEMPTS = 100;

/** True when `port` can be bound on every interface right now (what a server bound to 0.0.0.0 needs). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "0.0.0.0", exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * A base port such that base+offset is free for every offset (Apache's broker also binds listenPort-2 and
 * listenPort+1). Free now, not reserved: a race with another process is possible but unlikely.
 */
export async function findFreePorts(offsets: readonly number[] = [0]): Promise<number> {
  const low = PORT_RANGE_LOW - Math.min(0, ...offsets);
  const high = PORT_RANGE_HIGH - Math.max(0, ...offsets);
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const base = low + Math.floor(Math.random() * (high - low));
    const free = await Promise.all(offsets.map((o) => isPortFree(base + o)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(`no free port block for offsets ${offsets.join(",")} after ${PORT_ATTEMPTS} attempts`);
}
