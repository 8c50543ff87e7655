/** The detail view's "Similar pictures": look-alikes of a picture by fingerprint, as small tiles. */
import { useEffect, useState } from 'react';
import { LOOKALIKE_DISTANCE } from '../../../src/domain/facets.js';
import { isFontPath } from '../../../src/domain/media-facts.js';
import { api, ApiError, DEFAULT_QUERY, type Asset } from '../api';
import { assetName } from '../gallery/Tile';
import { galleryHref } from '../gallery/query-url.js';
import { navigate } from '../route';

/** Similar pictures listed (the nearest); more are counted. */
const SIMILAR_SHOWN = 12;

/** How alike two pictures are, in words. */
function likeness(item: { distance: number; same_bytes: boolean }): string {
  if (item.same_bytes) return 'same bytes';
  if (item.distance === 0) return 'same to the eye';
  return item.distance <= LOOKALIKE_DISTANCE ? 'nearly the same' : 'alike';
}

/**
 * Pictures that look like this one (resized, re-encoded or retouched copies, and exact copies),
 * nearest first, as small tiles, each a link to its detail view.
 */
export function SimilarPictures({ asset, tick }: { asset: Asset; tick: number }): React.JSX.Element | null {
  const [found, setFound] = useState<Awaited<ReturnType<typeof api.similar>> | { error: string }>();
  // (A font's thumbnail is a specimen card: no picture to compare.)
  const picture =
    asset.preview?.kind === 'thumbnail' && asset.preview_status === 'done' && !isFontPath(asset.path);
  useEffect(() => {
    if (!picture) return;
    let timer: number | undefined;
    let gone = false;
    // A picture previewed before fingerprints existed gets one moments after the server starts.
    const ask = (tries: number): void => {
      api.similar(asset.uid, SIMILAR_SHOWN).then(
        (answer) => !gone && setFound(answer),
        (err: Error) => {
          if (gone) return;
          setFound({ error: err.message });
          if (err instanceof ApiError && err.code === 'fingerprint_pending' && tries > 0)
            timer = window.setTimeout(() => ask(tries - 1), 1500);
        },
      );
    };
    ask(40);
    return () => {
      gone = true;
      window.clearTimeout(timer);
    };
  }, [asset.uid, asset.hash, picture, tick]);
  if (!picture || !found) return null;
  if ('error' in found)
    return (
      <p className="muted" data-testid="similar-pictures">
        {found.error}
      </p>
    );
  const more = found.total - found.items.length;
  return (
    <details open data-testid="similar-pictures">
      <summary>Similar pictures ({found.total.toLocaleString()})</summary>
      {found.items.length === 0 ? (
        <p className="muted">No other picture looks like this one.</p>
      ) : (
        <ul className="similar">
          {found.items.map((item) => (
            <li key={item.uid}>
              <button
                type="button"
                className="similar-tile"
                title={`${item.path}: ${likeness(item)} (${item.distance} of 64 fingerprint bits differ)`}
                onClick={() => navigate({ view: 'asset', id: item.uid })}
              >
                {item.urls.thumbnail ? <img src={item.urls.thumbnail} alt="" loading="lazy" /> : null}
                <span className="similar-name">{assetName(item)}</span>
                <span className="muted">{likeness(item)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {found.items.length > 0 && (
        <p>
          {more > 0 && <span className="muted">…and {more.toLocaleString()} more. </span>}
          <a href={galleryHref({ ...DEFAULT_QUERY, similarTo: asset.uid })}>
            Show {found.total === found.items.length ? 'them' : 'all'} in the gallery
          </a>{' '}
          <span className="muted">(to select, tag or remove them together)</span>
        </p>
      )}
    </details>
  );
}
