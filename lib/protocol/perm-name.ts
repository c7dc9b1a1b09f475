/**
 * Topic permission bits (Apache `PermName`). A topic's `perm` is an OR of these; the default is 6 (read+write),
 * TBW102 uses 7 (inherit+read+write). PERM_PRIORITY (5.x priority topics) is outside `isValid`.
 */
export const PermName = {
  PERM_PRIORITY: 8,
  PERM_READ: 4,
  PERM_WRITE: 2,
  PERM_INHERIT: 1,
} as const;

export function isReadable(perm: number): boolean {
  return (perm & PermName.PERM_READ) === PermName.PERM_READ;
}

export function isWriteable(perm: number): boolean {
  return (perm & PermName.PERM_WRITE) === PermName.PERM_WRITE;
}

export function isInherited(perm: number): boolean {
  return (perm & PermName.PERM_INHERIT) === PermName.PERM_INHERIT;
}

export function isPriority(perm: number): boolean {
  return (perm & PermName.PERM_PRIORITY) === PermName.PERM_PRIORITY;
}

/** A perm value Apache accepts for a topic: any combination of read, write and inherit. */
export function isValidPerm(perm: number): boolean {
  return Number.isInteger(perm) && perm >= 0 && perm < PermName.PERM_PRIORITY;
}

/** The three-letter form tools print: read, write, inherit ("RW-" for 6, "RWX" for 7, "---" for 0). */
export function perm2String(perm: number): string {
  return `${isReadable(perm) ? "R" : "-"}${isWriteable(perm) ? "W" : "-"}${isInherited(perm) ? "X" : "-"}`;
}
