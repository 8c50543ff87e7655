import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { DEFAULT_QUERY, prefetch, searchUrl } from './api';
import { PAGE_SIZE } from './gallery/usePagedAssets';
import './styles.css';

// The gallery's first page and its settings load together, not one after the other (index.html
// preloads the same URLs, so these usually take responses already on their way).
prefetch('/api/settings');
prefetch(searchUrl(DEFAULT_QUERY, 0, PAGE_SIZE));
prefetch('/api/assets/facets');

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
