// What CSS sees of a stream besides pushes: screenshots as thumbnails, recording files, and moderation hits.
//
// Pictures are CSS's own URLs (COS buckets): the page's policy lets them load only from the hosts DASHBOARD_IMAGE_HOSTS
// names, and they are asked for without a referrer. One that cannot load keeps its place as an empty frame, and the
// page says which hosts the policy refused; each picture is a link that opens it (the policy does not govern that).
import { badge, element, timeElement, visibleNodes } from './elements.js';
import { duration } from './format.js';
import { KeyedRows } from './keyedRows.js';
import { streamHref } from './router.js';
import { textColumn, timeColumn } from './dashboardTables.js';

export const SCREENSHOT_FIELDS = 'url takenAt width height';
export const MODERATION_FIELDS = 'kind streamId at suggestion label subLabel score imageUrl text session { sequence domain } event { id }';
export const RECORDING_FIELDS = 'fileId format startedAt endedAt durationSeconds fileSizeBytes videoUrl';
/** The callback types after which a stream's media are worth asking for again. */
export const MEDIA_CALLBACK_TYPES = new Set(['ScreenshotTaken', 'RecordingFileGenerated', 'ImageModerationFlagged', 'AudioModerationFlagged']);

/** Only http(s) URLs become a src or href: a callback could send `javascript:` as a picture's address. */
function webUrl(value) {
  if (typeof value !== 'string') return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** A picture from CSS in a link that opens it in a new tab; `alt` names it for screen readers and in the link's title. */
export function picture(url, alt, className) {
  const src = webUrl(url);
  if (src === null) return element('span', { className: `${className} no-picture`, text: 'no picture' });
  const image = element('img', { className });
  image.alt = alt;
  image.loading = 'lazy';
  image.referrerPolicy = 'no-referrer';
  image.decoding = 'async';
  image.addEventListener('error', () => image.classList.add('failed'), { once: true });
  image.addEventListener('load', () => image.classList.add('loaded'), { once: true });
  image.src = src;
  const link = element('a', { className: 'picture-link', href: src, title: `${alt}: open the picture` }, image);
  link.target = '_blank';
  link.rel = 'noopener noreferrer';
  return link;
}

/** Hosts named by origin at most, then how many more: a notice, not a list of every bucket. */
const NAMED_HOSTS = 3;

/**
 * Says, in each of the `notices` (beside the pictures of each view), which hosts' pictures the page's policy refused and
 * what lets them in. The browser reports each refusal as a `securitypolicyviolation` event; a picture that failed for
 * another reason (gone, host down) is not in it.
 */
export function watchRefusedPictures(notices) {
  const refused = new Set();
  document.addEventListener('securitypolicyviolation', (event) => {
    if (event.effectiveDirective !== 'img-src') return;
    let origin;
    try {
      origin = new URL(event.blockedURI).origin;
    } catch {
      return;
    }
    if (origin === 'null' || refused.has(origin)) return;
    refused.add(origin);
    const hosts = [...refused];
    const named = hosts.slice(0, NAMED_HOSTS).join(', ') + (hosts.length > NAMED_HOSTS ? ` and ${hosts.length - NAMED_HOSTS} more` : '');
    for (const notice of notices) {
      notice.replaceChildren(
        ...visibleNodes(`Pictures from ${named} are not shown: this page loads pictures only from the hosts in `),
        element('code', { text: 'DASHBOARD_IMAGE_HOSTS' }),
        ...visibleNodes(` (CSS's COS buckets: https://*.myqcloud.com). A picture's empty frame opens it.`),
      );
      notice.hidden = false;
    }
  });
}

/** The live table's picture column: the session's latest screenshot, or a blank of the same size. */
export const thumbnailColumn = (screenshots) => ({
  key: (s) => screenshots.get(s.sequence)?.url ?? '',
  cell: (s) => {
    const shot = screenshots.get(s.sequence);
    if (shot === undefined) return element('td', { className: 'thumb-cell' }, element('span', { className: 'thumb no-picture' }));
    return element('td', { className: 'thumb-cell', title: `screenshot ${shot.takenAt ?? ''}` }, picture(shot.url, `latest screenshot of ${s.streamId}`, 'thumb'));
  },
});

const SUGGESTION_TONES = { BLOCK: 'bad', REVIEW: 'warn', PASS: 'ok' };
const label = (hit) => [hit.label, hit.subLabel].filter(Boolean).join(' / ') || '—';

/** Moderation hits newest first: what CSS suggests, on which stream, why, and the picture or words it judged. */
export const moderationRows = (table, { withStream = true } = {}) =>
  new KeyedRows(table, {
    rowKey: (hit) => hit.event.id,
    data: (hit) => ({ eventId: hit.event.id }),
    columns: [
      {
        key: (hit) => `${hit.suggestion}\n${hit.kind}`,
        cell: (hit) => element('td', {}, badge((hit.suggestion ?? 'unknown').toLowerCase(), SUGGESTION_TONES[hit.suggestion] ?? 'neutral'), element('span', { className: 'sub', text: hit.kind.toLowerCase() })),
      },
      ...(withStream
        ? [{ key: (hit) => `${hit.streamId}\n${hit.session?.domain ?? ''}`, cell: (hit) => element('td', { className: 'stream' }, element('a', { href: streamHref(hit.streamId, hit.session?.domain ?? null), text: hit.streamId })) }]
        : []),
      textColumn(label),
      textColumn((hit) => (hit.score == null ? '—' : String(hit.score)), 'num'),
      timeColumn('at'),
      {
        key: (hit) => `${hit.imageUrl ?? ''}\n${hit.text ?? ''}`,
        cell: (hit) => (hit.imageUrl ? element('td', {}, picture(hit.imageUrl, `moderated picture of ${hit.streamId}`, 'thumb')) : element('td', { className: 'muted', text: hit.text ?? '' })),
      },
    ],
  });

const megabytes = (bytes) => (bytes == null ? '—' : `${(bytes / 1_000_000).toFixed(1)} MB`);

/** A session's recording files: format, when, how long, how large, and where to play it. */
export const recordingRows = (table) =>
  new KeyedRows(table, {
    rowKey: (file) => file.fileId,
    data: (file) => ({ fileId: file.fileId }),
    columns: [
      textColumn((file) => (file.format ?? '—').toUpperCase()),
      timeColumn('startedAt'),
      textColumn((file) => (file.durationSeconds == null ? '—' : duration(file.durationSeconds * 1000)), 'num'),
      textColumn((file) => megabytes(file.fileSizeBytes), 'num'),
      {
        key: (file) => file.videoUrl ?? '',
        cell: (file) => {
          const href = webUrl(file.videoUrl);
          return href === null ? element('td', { className: 'muted', text: '—' }) : element('td', { className: 'mono' }, element('a', { href, text: file.videoUrl }));
        },
      },
    ],
  });

/** A session's screenshots, newest first, as a strip of pictures each with its time. */
export function showScreenshots(container, screenshots, streamId) {
  container.replaceChildren(
    ...screenshots.map((shot) =>
      element('figure', { className: 'shot' }, picture(shot.url, `screenshot of ${streamId}`, 'shot-picture'), element('figcaption', {}, shot.takenAt ? timeElement(shot.takenAt) : '—')),
    ),
  );
}
