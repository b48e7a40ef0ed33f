// Text for clients in production: absolute file paths (where the data lives, how the host is laid out) cut to their last part.

/**
 * An absolute path: a slash after the start, a space, a quote, a bracket, `=` or `:` (as in `sqlite:/data/events.db`),
 * running to the next space, quote, bracket or comma. `esdb://host` is not one: its slash is followed by another.
 */
const ABSOLUTE_PATH = /(^|[\s'"`([{=:])\/(?!\/)[^\s'"`()[\]{},;]*/g;

/** `sqlite:/srv/ledger/data/events.db is closed` becomes `sqlite:events.db is closed`. */
export function withoutFilePaths(text: string): string {
  return text.replace(ABSOLUTE_PATH, (match, before: string) => {
    const parts = match.slice(before.length).split('/').filter((part) => part !== '');
    return `${before}${parts.at(-1) ?? ''}`;
  });
}
