/**
 * Tag hashes (protocol §8.6). The ConsumeQueue stores, per message, a tagsCode: Java's String.hashCode of the
 * TAGS property (h = 31*h + c over UTF-16 code units, wrapping to a signed 32-bit int), 0 when there is no tag.
 * Subscriptions carry the same hashes in their codeSet. The IndexFile hashes keys the same way.
 */

/** Java String.hashCode: 31-polynomial over UTF-16 code units, signed 32-bit. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** The ConsumeQueue tagsCode of a TAGS value: its Java hashCode, 0 for an empty or missing tag. */
export function tagsString2tagsCode(tags: string | undefined): number {
  if (tags === undefined || tags.length === 0) return 0;
  return javaStringHashCode(tags);
}
