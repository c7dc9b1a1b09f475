/**
 * Java-style properties text (`key=value` lines, `#`/`!` comments, `key: value`, backslash line continuations)
 * as used by Apache's broker.conf and by GET_BROKER_CONFIG / UPDATE_BROKER_CONFIG bodies.
 */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] ?? "").trimStart();
    // Continuations are joined once at the end: slicing the growing line each time was quadratic.
    const parts: string[] = [];
    while (line.endsWith("\\") && i + 1 < lines.length) {
      parts.push(line.slice(0, -1));
      line = (lines[++i] ?? "").trimStart();
    }
    if (parts.length > 0) line = parts.join("") + line;
    if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
    // `s`: the value runs to the end even across a stray \r or \u2028; without it the match failed only after
    // backtracking through every split of the blanks, cubic in their length (remote UPDATE_*_CONFIG bodies).
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/s.exec(line);
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
