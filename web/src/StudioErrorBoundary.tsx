/**
 * What the studio shows instead of a blank page when rendering fails. Most often a part of the page
 * loaded on demand (the side panel, the detail view) was requested while the server was away (a
 * restart, an upgrade): its import fails, and React unmounts everything above it. Then the page
 * waits for the server and reloads itself; any other error is shown with a Reload button.
 */
import { Component, useEffect } from 'react';

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

export class StudioErrorBoundary extends Component<{ children: React.ReactNode }, { error?: Error }> {
  state: { error?: Error } = {};

  static getDerivedStateFromError(error: unknown): { error: Error } {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  render(): React.ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <main className="studio-error" role="alert">
        <h1>Asset Registry Studio</h1>
        {CHUNK_FAILURE.test(error.message) ? (
          <ReloadWhenServerIsBack />
        ) : (
          <p>The studio hit an error and stopped: {error.message}</p>
        )}
        <button type="button" onClick={() => window.location.reload()}>
          Reload now
        </button>
      </main>
    );
  }
}
