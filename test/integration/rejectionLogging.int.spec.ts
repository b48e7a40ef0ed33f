import { md5Hex } from '../../src/ingest/authenticateCallback';
import { capturedLog } from '../support/capturedLog';
import { scrape, valueOf } from '../support/metricsText';
import { postCallback, useTestService } from '../support/testService';

describe('rejected callbacks: every one counted, logged by sample', () => {
  const { logger, logged } = capturedLog();
  const fixture = useTestService({ CSS_CALLBACK_KEYS: 'the-key' }, logger);

  it('writes one full line per slug and, once the service stops, one summary line with the count of the others', async () => {
    const t = Math.floor(Date.now() / 1000) + 600;
    for (let i = 0; i < 40; i++) {
      const forged = await postCallback(fixture.service.url, { event_type: 1, sequence: String(i), t, sign: md5Hex(`guessed-key${t}`) });
      expect(forged.status).toBe(401);
    }
    for (let i = 0; i < 5; i++) expect((await postCallback(fixture.service.url, '{"event_type": 1,')).status).toBe(400);

    const samples = await scrape(fixture.service.url);
    expect(valueOf(samples, 'css_ledger_callbacks_total', { type: 'unknown', outcome: 'rejected', error: 'bad_signature' })).toBe(40);
    expect(valueOf(samples, 'css_ledger_callbacks_total', { type: 'unknown', outcome: 'rejected', error: 'invalid_json' })).toBe(5);
    const rejected = logged().filter((line) => line.msg === 'callback rejected');
    expect(rejected.map((line) => line.error)).toEqual(['bad_signature', 'invalid_json']);
    expect(rejected[0]).toMatchObject({ level: 40, status: 401, reason: expect.stringContaining('sign does not match'), reqId: expect.any(String) });

    await fixture.stop();
    const summaries = logged().filter((line) => line.notLogged !== undefined);
    expect(summaries.map(({ error, notLogged }) => ({ error, notLogged }))).toEqual(
      expect.arrayContaining([
        { error: 'bad_signature', notLogged: 39 },
        { error: 'invalid_json', notLogged: 4 },
      ]),
    );
    expect(summaries).toHaveLength(2);
  });
});
