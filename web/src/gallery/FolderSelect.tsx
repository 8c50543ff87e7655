/**
 * Where the grid is: all folders, or one folder (and what is below it). The list holds the way
 * back up (each folder above the current one) and the folders right below it, so a designer
 * walks a pack's tree from the grid's toolbar; the server lists the folders (`/api/assets/folders`).
 */
import { useEffect, useState } from 'react';
import { api } from '../api';

/** "backgrounds", "backgrounds/forest" for "backgrounds/forest": the current folder and those above it. */
const foldersUpTo = (folder: string): string[] =>
  folder ? folder.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/')) : [];

/** The folders right below `folder` (the top for ''), asked again when the registry changes (`tick`). */
export function useSubfolders(folder: string, tick: number): string[] {
  const [below, setBelow] = useState<string[]>([]);
  useEffect(() => {
    let live = true;
    api.folders(folder).then(
      (r) => live && setBelow(r.folders),
      () => live && setBelow([]),
    );
    return () => {
      live = false;
    };
  }, [folder, tick]);
  return below;
}

export function FolderSelect({
  folder,
  below,
  onChange,
}: {
  folder: string;
  /** The folders right below it (see useSubfolders). */
  below: string[];
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
        {below.map((f) => (
          <option key={f} value={f}>
            {f}/
          </option>
        ))}
      </select>
    </label>
  );
}
