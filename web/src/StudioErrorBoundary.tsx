/**
 * What the studio shows instead of a blank page when rendering fails. Most often a part of the page
 * loaded on demand (the side panel, the detail view) was requested while the server was away (a
 * restart, an upgrade): its import fails, and React unmounts everything up to the nearest
 * boundary. Each such part has its own (`inline`), so the rest of the page (the grid, the stream
 * indicator saying the server is away) stays; the whole studio has one for everything else. A
 * part that could not load waits for the server and reloads the page (a browser keeps a failed
 * module's error for its URL, so importing it again would fail again; the filters are in the URL);
 * any other error is shown with a Reload button.
 */
import { Component, Suspense, useEffect } from 'react';

/** Vite's and the browsers' messages for a script chunk that could not be fetched. */
const CHUNK_FAILURE =
  /dynamically imported module|Importing a module script failed|error loading dynamically/i;

const HEALTH_POLL_MS = 2000;

function ReloadWhenServerIsBack(): React.JSX.Element {
  useEffect(() => {
    let stopped = false;
    const poll = (): void => {
      void fetch('/health', { cache: 'no-store' })
        .then((res) => res.ok)
        .catch(() => false)
        .then((up) => {
          if (stopped) return;
          if (up) window.location.reload();
          else window.setTimeout(poll, HEALTH_POLL_MS);
        });
    };
    poll();
    return () => {
      stopped = true;
    };
  }, []);
  return (
    <p>
      Part of the studio could not be loaded while the server was unreachable. The page reloads by itself as
      soon as the server answers again.
    </p>
  );
}

interface BoundaryProps {
  children: React.ReactNode;
  /** A part of the page: the message takes its place, not the whole studio's. */
  inline?: boolean;
}

export class StudioErrorBoundary extends Component<BoundaryProps, { error?: Error }> {
  state: { error?: Error } = {};

  static getDerivedStateFromError(error: unknown): { error: Error } {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  render(): React.ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    const body = (
      <>
        {CHUNK_FAILURE.test(error.message) ? (
          <ReloadWhenServerIsBack />
        ) : (
          <p>
            {this.props.inline ? 'This part of the studio' : 'The studio'} hit an error and stopped:{' '}
            {error.message}
          </p>
        )}
        <button type="button" onClick={() => window.location.reload()}>
          Reload now
        </button>
      </>
    );
    if (this.props.inline)
      return (
        <div className="part-error" role="alert">
          {body}
        </div>
      );
    return (
      <main className="studio-error" role="alert">
        <h1>Asset Registry Studio</h1>
        {body}
      </main>
    );
  }
}

/** A part of the page loaded on demand: its fallback while it loads, its own message if it cannot. */
export function LazyPart({
  children,
  fallback = null,
}: {
  children: React.ReactNode;
  fallback?: React.ReactNode;
}): React.JSX.Element {
  return (
    <StudioErrorBoundary inline>
      <Suspense fallback={fallback}>{children}</Suspense>
    </StudioErrorBoundary>
  );
}
