import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { prefetch } from './api';
import { FIRST_REQUESTS } from './first-load';
import './styles.css';

// The gallery's first page and its settings load together, not one after the other (index.html
// preloads the same URLs, written there by the build, so these take responses already on their way).
for (const url of FIRST_REQUESTS) prefetch(url);

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
