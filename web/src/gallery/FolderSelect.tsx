/**
 * Where the grid is: all folders, or one folder (and what is below it). The list holds the way
 * back up (each folder above the current one) and the folders right below it, so a designer
 * walks a pack's tree from the grid's toolbar; the server lists the folders (`/api/assets/folders`).
 */
import { useAnswer } from '../use-answer';
import { api } from '../api';

/** "backgrounds", "backgrounds/forest" for "backgrounds/forest": the current folder and those above it. */
const foldersUpTo = (folder: string): string[] =>
  folder ? folder.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/')) : [];

/** The folders right below a folder, and how many assets each holds ("10,000+" past the count's cap). */
export interface Subfolders {
  folders: string[];
  counts: Record<string, number>;
  capped: string[];
}

const NONE: Subfolders = { folders: [], counts: {}, capped: [] };

/** The folders right below `folder` (the top for ''), asked again when the registry changes (`tick`). */
export function useSubfolders(folder: string, tick: number): Subfolders {
  const below = useAnswer(
    () =>
      api.folders(folder).then((r) => ({ folders: r.folders, counts: r.counts, capped: r.counts_capped })),
    [folder, tick],
  );
  return below ?? NONE;
}

/** " (1,204)", " (10,000+)", or nothing before the counts come. */
function countLabel(folder: string, below: Subfolders): string {
  const n = below.counts[folder];
  if (n === undefined) return '';
  return ` (${n.toLocaleString()}${below.capped.includes(folder) ? '+' : ''})`;
}

export function FolderSelect({
  folder,
  below,
  onChange,
}: {
  folder: string;
  /** The folders right below it, with their counts (see useSubfolders). */
  below: Subfolders;
  onChange: (folder: string) => void;
}): React.JSX.Element {
  return (
    <label className="folder-select">
      <span>Folder</span>
      <select value={folder} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">All folders</option>
        {foldersUpTo(folder).map((f) => (
          <option key={f} value={f}>
            {f}/
          </option>
        ))}
        {below.folders.map((f) => (
          <option key={f} value={f}>
            {f}/{countLabel(f, below)}
          </option>
        ))}
      </select>
    </label>
  );
}
