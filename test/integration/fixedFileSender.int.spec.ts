// Fixed files (the dashboard's, the explorer's) are sent within one budget of bytes a second, whoever asks.
import Fastify from 'fastify';
import { FixedFileSender, JAVASCRIPT, type FixedFile } from '../../src/http/staticPages';

const file: FixedFile = { body: Buffer.alloc(6_000, 'x'), type: JAVASCRIPT, etag: '"six-thousand"' };

/** A server on loopback sending the file through `sender`, and a GET of it: its status and its length. */
async function serving(sender: FixedFileSender) {
  const app = Fastify();
  app.get('/file.js', (request, reply) => sender.send(request, reply, file));
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const get = async (headers: Record<string, string> = {}) => {
    const answer = await fetch(`${url}/file.js`, { headers });
    return [answer.status, (await answer.arrayBuffer()).byteLength];
  };
  return { app, get };
}

describe('FixedFileSender', () => {
  it("sends at once within a second's worth, then has each answer wait until the bytes before it are paid for", async () => {
    const { app, get } = await serving(new FixedFileSender(10_000));
    const started = performance.now();
    const at = async () => {
      expect(await get()).toEqual([200, 6_000]);
      return performance.now() - started;
    };
    const [first, second, third] = await Promise.all([at(), at(), at()]);
    // 6,000 of 10,000 at once; the second puts it 2,000 bytes in debt (200 ms), the third 8,000 (800 ms).
    expect(second! - first!).toBeGreaterThanOrEqual(150);
    expect(third! - second!).toBeGreaterThanOrEqual(500);
    await app.close();
  });

  it('answers a copy the browser has (ETag) with 304 at once, taking nothing from the budget', async () => {
    const { app, get } = await serving(new FixedFileSender(10_000));
    const started = performance.now();
    for (let i = 0; i < 5; i++) expect(await get({ 'if-none-match': file.etag })).toEqual([304, 0]);
    expect(await get()).toEqual([200, 6_000]);
    // Had each 304 taken the file's bytes, this answer would have waited over two seconds.
    expect(performance.now() - started).toBeLessThan(1_000);
    await app.close();
  });
});
