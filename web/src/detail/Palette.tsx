/**
 * A picture's main colours in its detail view: a swatch of each (its mean shade in the picture),
 * its name and share, each covering enough of it a link to the gallery's pictures of that colour; and "transparent
 * parts", a link to the pictures that have them too.
 */
import { COLOR_SHARE, type PictureColors } from '../../../src/domain/facets.js';
import { DEFAULT_QUERY } from '../api';
import { galleryHref } from '../gallery/query-url.js';

export function Palette({ colors }: { colors: PictureColors }): React.JSX.Element {
  return (
    <ul className="palette" aria-label="Main colors">
      {colors.palette.map(({ name, hex, share }) => {
        const swatch = (
          <>
            <span className="swatch" style={{ background: hex }} aria-hidden="true" />
            {name} {Math.round(share * 100)} %
          </>
        );
        // (Only a colour covering enough of the picture for the filter to find it is a link.)
        return (
          <li key={name}>
            {share >= COLOR_SHARE ? (
              <a
                href={galleryHref({ ...DEFAULT_QUERY, colors: [name] })}
                title={`Pictures with a lot of ${name} too (${hex})`}
              >
                {swatch}
              </a>
            ) : (
              <span title={hex}>{swatch}</span>
            )}
          </li>
        );
      })}
      {colors.transparent && (
        <li>
          <a
            href={galleryHref({ ...DEFAULT_QUERY, transparent: 'true' })}
            title="Pictures with transparent parts too"
          >
            transparent parts
          </a>
        </li>
      )}
    </ul>
  );
}
