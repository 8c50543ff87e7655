import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { StudioErrorBoundary } from './StudioErrorBoundary';
import { inProject, prefetch, prefetchesSettled, setProject } from './api';
import { FIRST_REQUESTS } from './first-load';
import { projectFromLocation } from './project';
import './styles.css';

// The gallery's first page and its settings load together, not one after the other (index.html
// preloads the same URLs, written there by the build, so these take responses already on their way).
// (In another project than the server's default, the preloads are not these: they are asked again.)
setProject(projectFromLocation());
for (const url of FIRST_REQUESTS) prefetch(inProject(url));

/** How long the first render waits for them at most (a slow server: "Loading…" shows meanwhile). */
const FIRST_RENDER_WAIT_MS = 300;

// They are usually in before this script has run; the first render then takes them as they are
// and draws the gallery with its tiles at once, instead of "Loading…", an empty grid, then tiles.
void prefetchesSettled(FIRST_RENDER_WAIT_MS).then(() =>
  createRoot(document.getElementById('root') as HTMLElement).render(
    <StrictMode>
      <StudioErrorBoundary>
        <App />
      </StudioErrorBoundary>
    </StrictMode>,
  ),
);
