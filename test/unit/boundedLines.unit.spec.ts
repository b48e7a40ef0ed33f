// Lines of a byte stream at most so long: split at "\n" whatever the chunks, UTF-8 kept whole, an overlong line counted in its place.
import { boundedLines, type BoundedLine } from '../../src/ingest/boundedLines';

async function linesOf(chunks: Array<string | Buffer>, maxBytes = 100): Promise<BoundedLine[]> {
  const lines: BoundedLine[] = [];
  async function* input() {
    yield* chunks;
  }
  for await (const line of boundedLines(input(), maxBytes)) lines.push(line);
  return lines;
}

describe('boundedLines', () => {
  it('splits at each newline wherever the chunks break, dropping a carriage return before it', async () => {
    expect(await linesOf(['a\r\nb', 'c\n', '\nd'])).toEqual(['a', 'bc', '', 'd']);
    expect(await linesOf(['one\n'])).toEqual(['one']);
    expect(await linesOf([])).toEqual([]);
  });

  it('decodes a character split between chunks whole', async () => {
    const bytes = Buffer.from('流\n');
    expect(await linesOf([bytes.subarray(0, 1), bytes.subarray(1, 2), bytes.subarray(2)])).toEqual(['流']);
  });

  it('gives a line over the bound as its length in bytes, however many chunks it spans, and goes on after it', async () => {
    expect(await linesOf(['ok\n', 'x'.repeat(60), 'x'.repeat(60), 'x'.repeat(5), '\nnext\n'], 100)).toEqual(['ok', { overlongBytes: 125 }, 'next']);
    expect(await linesOf(['x'.repeat(100), '\n', 'x'.repeat(101)], 100)).toEqual(['x'.repeat(100), { overlongBytes: 101 }]);
  });
});
