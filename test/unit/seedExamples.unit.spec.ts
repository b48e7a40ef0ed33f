import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { extractJsonExamples, SEED_DOCUMENTS_DIR, seedExamples } from '../support/seedExamples';

describe('the seed callback fixtures', () => {
  it('hold all 17 examples of the five CSS documents', () => {
    const examples = seedExamples();
    expect(examples).toHaveLength(17);
    expect(new Set(examples.map((e) => e.source)).size).toBe(5);
  });

  const documentsBeside = (() => {
    try {
      return readdirSync(SEED_DOCUMENTS_DIR).sort();
    } catch {
      return [];
    }
  })();
  const whenDocumentsBeside = documentsBeside.length > 0 ? it : it.skip;
  if (documentsBeside.length === 0) {
    console.warn(`CSS documents not found at ${SEED_DOCUMENTS_DIR}: fixture cross-check skipped`);
  }

  whenDocumentsBeside('are exactly the examples found in the documents beside the repo', () => {
    const fromDocuments = documentsBeside.flatMap((source) =>
      extractJsonExamples(readFileSync(path.join(SEED_DOCUMENTS_DIR, source), 'utf8')).map((raw) => ({ source, raw })),
    );
    expect(seedExamples()).toEqual(fromDocuments);
  });
});
