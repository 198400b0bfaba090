/** Ends an exhaustive switch over a union: a new member becomes a compile error here. */
export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}
