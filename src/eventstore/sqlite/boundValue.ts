// A value bound at each run that SQLite's planner does not read, so that the statement is compiled once.

/**
 * `+<parameter>`, for the value of an `=` term. Where SQLite weighs a plan that leaves such a term to be checked row by
 * row (a walk in the ORDER BY's order, a min() or max(), another index, a partial index), it reads the value bound to it
 * (to guess how many rows the term keeps, or whether it is the partial index's) and marks the statement as depending on
 * it; better-sqlite3 clears the bindings after every run, which expires a statement so marked, and the next run compiled
 * it again: SQLite's parser and planner, 10-20 µs, and better-sqlite3's function that builds its rows. Behind a unary
 * plus the planner does not read the value. The comparison is the same (neither a parameter nor `+` has an affinity), and
 * the term still drives the index: the query-plan tests check the plans.
 */
export const bound = (parameter: string): string => `+${parameter}`;
