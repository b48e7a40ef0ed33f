// Text that came from outside (a file being imported, a receiver's error page) made safe to print on an operator's terminal.

/** Control characters as `\uXXXX` escapes: the text cannot move the terminal's cursor, recolour it or retitle it. */
export const terminalSafe = (text: string): string =>
  text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
