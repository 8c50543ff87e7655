/**
 * Search box, Type/Tag/License/Copies/Size/Color filters (options from the registry, with counts) and sort.
 * Tags add up: each one chosen must be on an asset, and shows as a chip that removes it.
 */
import { useEffect, useRef, useState } from 'react';
import type { AssetQuery, DuplicateFilter, FacetCount, Facets, SortField, SortOrder } from '../api';
import {
  COLOR_CHOICES,
  colorChoiceOf,
  describeColor,
  type ColorChoice,
  type ColorFilter,
} from './color-filter';
import { describeSize, SIZE_CHOICES, sizeChoiceOf, type SizeFilter } from './size-filter';
import { RenameTag } from './RenameTag';

/** Whether a key press belongs to a field being typed in (then "/" is a slash, not a shortcut). */
const typingIn = (target: EventTarget | null): boolean =>
  target instanceof HTMLElement &&
  (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

/**
 * Whether the gallery may take a key press as one of its shortcuts: not typed into a field, and
 * no dialog (the detail view, the shortcut list) open over the gallery.
 */
export const galleryShortcut = (e: KeyboardEvent): boolean =>
  !typingIn(e.target) && !document.querySelector('[role="dialog"]');

/** "/" focuses the search box from anywhere in the gallery, as in most galleries and code hosts. */
function useSlashToSearch(box: React.RefObject<HTMLInputElement | null>): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || !galleryShortcut(e)) return;
      e.preventDefault();
      box.current?.focus();
      box.current?.select();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [box]);
}

const SORTS: Array<{ value: `${SortField}:${SortOrder}`; label: string }> = [
  { value: 'created:desc', label: 'Newest first' },
  { value: 'created:asc', label: 'Oldest first' },
  { value: 'path:asc', label: 'Name A→Z' },
  { value: 'path:desc', label: 'Name Z→A' },
  { value: 'type:asc', label: 'Type A→Z' },
  { value: 'type:desc', label: 'Type Z→A' },
  { value: 'bytes:desc', label: 'Largest first' },
  { value: 'bytes:asc', label: 'Smallest first' },
  // Assets without a width or length come last in both directions.
  { value: 'width:desc', label: 'Widest first' },
  { value: 'width:asc', label: 'Narrowest first' },
  { value: 'duration:desc', label: 'Longest first' },
  { value: 'duration:asc', label: 'Shortest first' },
];

const COPIES: Array<{ value: DuplicateFilter | ''; label: string }> = [
  { value: '', label: 'Any' },
  { value: 'all', label: 'Duplicated (every copy)' },
  { value: 'extra', label: 'Extra copies (not the first)' },
  { value: 'similar', label: 'Look-alike pictures' },
];

/** The "none" choice of a list (No license): a facet value is trimmed, so none starts with a space. */
const NO_VALUE = ' none';

function FacetSelect({
  id,
  label,
  anyLabel,
  value,
  options,
  none,
  onChange,
}: {
  id: string;
  label: string;
  anyLabel: string;
  value: string;
  options: FacetCount[];
  /** A choice for the assets without a value (its value is NO_VALUE). */
  none?: { label: string; count: number };
  onChange: (value: string) => void;
}): React.JSX.Element {
  // A value chosen earlier stays selectable even when no asset has it any more.
  const listed =
    value && value !== NO_VALUE && !options.some((o) => o.value === value)
      ? [{ value, count: 0 }, ...options]
      : options;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{anyLabel}</option>
        {none && (
          <option value={NO_VALUE}>
            {none.label} ({none.count})
          </option>
        )}
        {listed.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label ?? o.value} ({o.count})
          </option>
        ))}
      </select>
    </div>
  );
}

/** A select among fixed choices (not counted facets). */
function ChoiceSelect<T extends string>({
  id,
  label,
  title,
  value,
  choices,
  onChange,
}: {
  id: string;
  label: string;
  title?: string;
  value: T;
  choices: ReadonlyArray<{ value: T; label: string }>;
  onChange: (value: T) => void;
}): React.JSX.Element {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        title={title}
        value={value}
        // The options are the choices, so the value is one of them.
        onChange={(e) => onChange(e.currentTarget.value as T)}
      >
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * A list of named choices in groups, with "Any …" first; a combination no choice names (from a
 * link) shows as one more, described, until another is chosen. The Size and Color lists.
 */
function GroupedChoiceSelect({
  id,
  label,
  title,
  any,
  chosen,
  custom,
  groups,
  onPick,
  children,
}: {
  id: string;
  label: string;
  title: string;
  /** The first choice's label, for no filter (value ''). */
  any: string;
  /** The value chosen: '' for none, 'custom' for a combination no choice names. */
  chosen: string;
  /** What the custom combination is. */
  custom: string;
  groups: Array<{ label: string; choices: Array<{ value: string; label: string }> }>;
  /** A named choice, or '' for none. */
  onPick: (value: string) => void;
  /** Drawn before the list (the chosen colour's swatch). */
  children?: React.ReactNode;
}): React.JSX.Element {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <span className="choice-field">
        {children}
        <select
          id={id}
          title={title}
          value={chosen}
          onChange={(e) => {
            if (e.currentTarget.value !== 'custom') onPick(e.currentTarget.value);
          }}
        >
          <option value="">{any}</option>
          {chosen === 'custom' && <option value="custom">{custom}</option>}
          {groups.map((group) => (
            <optgroup key={group.label} label={group.label}>
              {group.choices.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </span>
    </div>
  );
}

/** Pictures by size, sounds by length: named choices, and any other bounds a link carried. */
function SizeSelect({
  filter,
  onChange,
}: {
  filter: SizeFilter;
  onChange: (filter: SizeFilter) => void;
}): React.JSX.Element {
  return (
    <GroupedChoiceSelect
      id="filter-size"
      label="Size"
      title="A picture's size or a sound's length"
      any="Any size"
      chosen={sizeChoiceOf(filter)}
      custom={describeSize(filter)}
      groups={(['Pictures', 'Sounds'] as const).map((group) => ({
        label: group,
        choices: SIZE_CHOICES.filter((c) => c.group === group),
      }))}
      onPick={(value) => {
        const choice = SIZE_CHOICES.find((c) => c.value === value);
        onChange({ bounds: choice?.bounds ?? {}, orientation: choice?.orientation ?? '' });
      }}
    />
  );
}

/** Pictures by a main colour, or with or without transparent parts; any other combination a link carried. */
function ColorSelect({
  filter,
  facets,
  onChange,
}: {
  filter: ColorFilter;
  facets: Facets | undefined;
  onChange: (filter: ColorFilter) => void;
}): React.JSX.Element {
  const chosen = colorChoiceOf(filter);
  // How many pictures each choice finds (the counts the registry keeps), once the facets are in;
  // none for Opaque (not counted).
  const counted = (choice: ColorChoice): { value: string; label: string } => {
    const n = !facets
      ? undefined
      : choice.filter.transparent === 'true'
        ? facets.transparent
        : facets.colors.find((c) => c.value === choice.filter.colors[0])?.count;
    return { value: choice.value, label: n === undefined ? choice.label : `${choice.label} (${n})` };
  };
  const swatch = COLOR_CHOICES.find((c) => c.value === chosen)?.swatch;
  return (
    <GroupedChoiceSelect
      id="filter-color"
      label="Color"
      title="Pictures where a colour covers a good part of them, or with a transparent background (sprites, icons, cut-outs)"
      any="Any color"
      chosen={chosen}
      custom={describeColor(filter)}
      groups={[
        { label: 'A lot of', choices: COLOR_CHOICES.filter((c) => c.swatch).map(counted) },
        { label: 'Background', choices: COLOR_CHOICES.filter((c) => !c.swatch).map(counted) },
      ]}
      onPick={(value) =>
        onChange(COLOR_CHOICES.find((c) => c.value === value)?.filter ?? { colors: [], transparent: '' })
      }
    >
      {swatch && <span className="swatch" style={{ background: swatch }} aria-hidden="true" />}
    </GroupedChoiceSelect>
  );
}

/** The tags chosen, each a chip whose button takes it out of the filter. */
function TagChips({
  tags,
  onChange,
}: {
  tags: string[];
  onChange: (tags: string[]) => void;
}): React.JSX.Element | null {
  const [renaming, setRenaming] = useState<string>();
  if (!tags.length) return null;
  return (
    <>
      <ul className="chips" aria-label="Tags every asset must have">
        {tags.map((tag) => (
          <li key={tag}>
            {tag}
            <button
              type="button"
              aria-label={`Rename tag ${tag}`}
              title="Rename this tag on every asset that has it"
              onClick={() => setRenaming(tag)}
            >
              ✎
            </button>
            <button
              type="button"
              aria-label={`Remove tag filter ${tag}`}
              onClick={() => onChange(tags.filter((t) => t !== tag))}
            >
              ×
            </button>
          </li>
        ))}
        {tags.length > 1 && (
          <li className="clear">
            <button type="button" className="link" onClick={() => onChange([])}>
              Clear tags
            </button>
          </li>
        )}
      </ul>
      {renaming && (
        <RenameTag
          tag={renaming}
          onClose={() => setRenaming(undefined)}
          onRenamed={(to) => {
            setRenaming(undefined);
            onChange([...new Set(tags.map((t) => (t === renaming ? to : t)))]);
          }}
        />
      )}
    </>
  );
}

export function Filters({
  search,
  onSearch,
  query,
  onQuery,
  facets,
}: {
  search: string;
  onSearch: (text: string) => void;
  query: AssetQuery;
  onQuery: (patch: Partial<AssetQuery>) => void;
  facets: Facets | undefined;
}): React.JSX.Element {
  const box = useRef<HTMLInputElement>(null);
  useSlashToSearch(box);
  return (
    <div className="filters" role="search">
      <label className="field grow" htmlFor="gallery-search">
        <span>Search</span>
        <input
          id="gallery-search"
          ref={box}
          type="search"
          aria-keyshortcuts="/"
          placeholder="Search path, tags, metadata… (press /)"
          value={search}
          onChange={(e) => onSearch(e.currentTarget.value)}
        />
      </label>
      <FacetSelect
        id="filter-type"
        label="Type"
        anyLabel="All types"
        value={query.type}
        options={facets?.types ?? []}
        onChange={(type) => onQuery({ type })}
      />
      <FacetSelect
        id="filter-tag"
        label="Tag"
        anyLabel={query.tags.length ? 'And tag…' : 'Any tag'}
        value=""
        options={(facets?.tags ?? []).filter((o) => !query.tags.includes(o.value))}
        onChange={(tag) => tag && onQuery({ tags: [...query.tags, tag] })}
      />
      <FacetSelect
        id="filter-license"
        label="License"
        anyLabel="Any license"
        value={query.unlicensed ? NO_VALUE : query.license}
        options={facets?.licenses ?? []}
        none={{ label: 'No license', count: facets?.unlicensed ?? 0 }}
        onChange={(license) =>
          onQuery(license === NO_VALUE ? { license: '', unlicensed: true } : { license, unlicensed: false })
        }
      />
      <ChoiceSelect
        id="filter-copies"
        label="Copies"
        title="Assets whose bytes another asset has too"
        value={query.duplicates}
        choices={COPIES}
        onChange={(duplicates) => onQuery({ duplicates })}
      />
      <SizeSelect filter={query} onChange={(size) => onQuery(size)} />
      <ColorSelect filter={query} facets={facets} onChange={(color) => onQuery(color)} />
      <ChoiceSelect
        id="sort"
        label="Sort"
        value={`${query.sort}:${query.order}`}
        choices={SORTS}
        onChange={(choice) => {
          const [sort, order] = choice.split(':') as [SortField, SortOrder];
          onQuery({ sort, order });
        }}
      />
      <TagChips tags={query.tags} onChange={(tags) => onQuery({ tags })} />
    </div>
  );
}
