// Read-model times are milliseconds since the epoch; GraphQL's DateTime scalar takes a Date.
export const dateOrNull = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));
