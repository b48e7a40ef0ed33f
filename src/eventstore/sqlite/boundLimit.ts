// A LIMIT whose count is bound at each run, written so that SQLite compiles the statement once.

/**
 * `LIMIT <parameter>` for a prepared statement. SQLite (3.47 on) plans with the value bound to a bare `LIMIT ?`, so
 * each binding of it expires the statement, and better-sqlite3 binds every parameter at every run: the statement was
 * compiled again each time, and better-sqlite3's function that builds its rows with it (4 µs for a one-line read, tens
 * for a listing's). SQLite does not read the cast as the value: compiled once, the statement runs with the plan it was
 * prepared with, the one the query-plan tests check.
 */
export const limitBy = (parameter: string): string => `LIMIT CAST(${parameter} AS INTEGER)`;
