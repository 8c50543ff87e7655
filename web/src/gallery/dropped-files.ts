/**
 * Files to upload from a drop or a folder picker, each with the folder it sits in (relative to
 * what was dropped or picked), so a dropped folder lands in the assets root with its structure.
 * Hidden files and OS junk are left out, by the rebuild's own rule.
 */
import { isSkippedName } from '../../../src/domain/asset-paths.js';

export interface UploadFile {
  file: File;
  /** `a/b` for `a/b/file.png` (the dropped or picked folder first); `''` for a file on its own. */
  folder: string;
}

const folderOf = (relPath: string): string => relPath.split('/').slice(0, -1).join('/');

/** Files picked with `<input webkitdirectory>` (each knows its path under the picked folder). */
export function pickedFiles(files: Iterable<File>): UploadFile[] {
  return [...files]
    .filter((file) => !(file.webkitRelativePath || file.name).split('/').some(isSkippedName))
    .map((file) => ({ file, folder: folderOf(file.webkitRelativePath) }));
}

/**
 * The entries of a drop, taken at once: the browser forgets them when the drop event ends.
 * Null when the browser gives no entries (then the drop's plain file list is used).
 */
export function dropEntries(transfer: DataTransfer): FileSystemEntry[] | null {
  const items = [...transfer.items].filter((item) => item.kind === 'file');
  const entries = items.flatMap((item) => item.webkitGetAsEntry() ?? []);
  return entries.length === items.length ? entries : null;
}

/** Every file under the dropped entries, folders walked. */
export async function droppedFiles(entries: readonly FileSystemEntry[]): Promise<UploadFile[]> {
  const out: UploadFile[] = [];
  const visit = async (entry: FileSystemEntry): Promise<void> => {
    if (isSkippedName(entry.name)) return;
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) =>
        (entry as FileSystemFileEntry).file(resolve, reject),
      );
      out.push({ file, folder: folderOf(entry.fullPath.replace(/^\//, '')) });
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      // readEntries answers in batches (100 in Chromium) until an empty one.
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
          reader.readEntries(resolve, reject),
        );
        if (!batch.length) break;
        for (const child of batch) await visit(child);
      }
    }
  };
  for (const entry of entries) await visit(entry);
  return out;
}
