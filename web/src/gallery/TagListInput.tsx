/**
 * A comma-separated list of tags with suggestions: the tag being typed (after the last comma) is
 * completed from the registry's tags, most used first among those that start with it, then those
 * that hold it; ones already in the list are left out. Arrow keys move through them, Enter or Tab
 * takes one, Escape closes them; a click takes one too. Typing a tag that does not exist is fine
 * (it is created): the suggestions only save typos ("charcter") and keystrokes.
 */
import { useId, useState } from 'react';
import type { FacetCount } from '../api';
import { tagSuggestions, withTag } from './tag-suggestions';

export function TagListInput({
  id,
  value,
  onChange,
  placeholder,
  disabled = false,
  tags,
}: {
  id: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  disabled?: boolean;
  /** The registry's tags with their counts (the Tag filter's). */
  tags: readonly FacetCount[];
}): React.JSX.Element {
  const listId = useId();
  const [active, setActive] = useState(0);
  const [closed, setClosed] = useState(false);
  const suggestions = closed ? [] : tagSuggestions(value, tags);
  const shown = suggestions.length > 0;
  const take = (tag: FacetCount): void => {
    onChange(withTag(value, tag.label ?? tag.value));
    setActive(0);
  };
  const onKey = (e: React.KeyboardEvent<HTMLInputElement>): void => {
    if (!shown) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const step = e.key === 'ArrowDown' ? 1 : suggestions.length - 1;
      setActive((active + step) % suggestions.length);
    } else if (e.key === 'Enter' || (e.key === 'Tab' && !e.shiftKey)) {
      e.preventDefault(); // (not the form's submit, nor the next field)
      take(suggestions[Math.min(active, suggestions.length - 1)] as FacetCount);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation(); // (the gallery's Escape clears the selection)
      setClosed(true);
    }
  };
  return (
    <span className="tag-input">
      <input
        id={id}
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={shown}
        aria-controls={listId}
        aria-activedescendant={shown ? `${listId}-${Math.min(active, suggestions.length - 1)}` : undefined}
        autoComplete="off"
        placeholder={placeholder}
        disabled={disabled}
        value={value}
        onChange={(e) => {
          onChange(e.currentTarget.value);
          setActive(0);
          setClosed(false);
        }}
        onKeyDown={onKey}
        onBlur={() => setClosed(true)}
      />
      {shown && (
        <ul className="suggestions" role="listbox" id={listId} aria-label="Tags in use">
          {suggestions.map((tag, i) => (
            <li
              key={tag.value}
              id={`${listId}-${i}`}
              role="option"
              aria-selected={i === Math.min(active, suggestions.length - 1)}
              // mousedown, not click: the input's blur would close the list first.
              onMouseDown={(e) => {
                e.preventDefault();
                take(tag);
              }}
            >
              {tag.label ?? tag.value} <span className="count">{tag.count}</span>
            </li>
          ))}
        </ul>
      )}
    </span>
  );
}
