/**
 * Java-style properties text (`key=value` lines, `#`/`!` comments, `key: value`, backslash line continuations)
 * as used by Apache's broker.conf and by GET_BROKER_CONFIG / UPDATE_BROKER_CONFIG bodies.
 */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] ?? "").trimStart();
    while (line.endsWith("\\") && i + 1 < lines.length) {
      line = line.slice(0, -1) + (lines[++i] ?? "").trimStart();
    }
    if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m?.[1] !== undefined) out.set(m[1], (m[2] ?? "").trim());
    else out.set(line.trim(), "");
  }
  return out;
}

export function formatProperties(entries: Iterable<readonly [string, string]>): string {
  let s = "";
  for (const [k, v] of entries) s += `${k}=${v}\n`;
  return s;
}
