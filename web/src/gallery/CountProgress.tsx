/** "1 asset", "1,200 files": a count as the side panel's messages say it. */
export const count = (n: number, noun: string): string =>
  `${n.toLocaleString()} ${noun}${n === 1 ? '' : 's'}`;

/** A job's "N of M assets" progress, as the side panel's forms show it while their job runs. */
export function CountProgress({
  verb,
  done,
  total,
}: {
  /** What is happening to the assets: "Updating", "Removing". */
  verb: string;
  done: number;
  total: number;
}): React.JSX.Element {
  return (
    <div className="bulk-progress" role="status">
      <progress value={done} max={Math.max(1, total)} />
      <span>
        {verb} {done.toLocaleString()} of {total.toLocaleString()} assets…
      </span>
    </div>
  );
}
