/** What `f` throws, or undefined when it returns (hostile-input tests inspect the error's type and text). */
export function errorOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}
