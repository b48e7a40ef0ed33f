// Finds the JSON callback examples inside CSS's documents (Markdown code blocks or flattened web text).
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface SeedExample {
  /** The CSS document it comes from. */
  source: string;
  /** The example exactly as the document writes it. */
  raw: string;
}

/** Every balanced `{...}` block that parses as a JSON object, strings and escapes respected. */
export function extractJsonExamples(document: string): string[] {
  const found: string[] = [];
  let start = -1;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < document.length; i++) {
    const c = document[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"' && depth > 0) inString = true;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}' && depth > 0 && --depth === 0) {
      const candidate = document.slice(start, i + 1);
      if (isJsonObject(candidate)) found.push(candidate);
    }
  }
  return found;
}

function isJsonObject(candidate: string): boolean {
  try {
    const value: unknown = JSON.parse(candidate);
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** The examples kept in test/fixtures, so that tests run without the documents beside the repo. */
export function seedExamples(): SeedExample[] {
  const file = path.join(__dirname, '..', 'fixtures', 'seed-callbacks.json');
  return JSON.parse(readFileSync(file, 'utf8')) as SeedExample[];
}

/** Where CSS's documents sit beside a checkout, when they do. */
export const SEED_DOCUMENTS_DIR = path.join(__dirname, '..', '..', '..', 'shared', 'seeds');
