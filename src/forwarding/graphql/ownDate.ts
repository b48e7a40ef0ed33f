// A Date of this realm: one that crossed from the forwarding thread may be another realm's Date (the DateTime scalar checks instanceof).
export function ownDate<T extends Date | null>(value: T): T {
  return (value === null ? null : new Date(value.getTime())) as T;
}
