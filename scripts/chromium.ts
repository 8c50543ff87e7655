/**
 * How the browser tests and the gallery bench start Debian's Chromium (installed by
 * scripts/ensure-chromium.sh; Playwright never downloads a browser here). Without the
 * background-networking flags Chromium keeps dialling out, which this network refuses.
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
