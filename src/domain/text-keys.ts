/**
 * The forms text is compared in. No Node imports (the studio may use them too).
 *
 * A name written on a Mac is often decomposed (NFD: "パ" as "ハ" + "゚"), the same name typed
 * elsewhere is composed (NFC); the two look the same and are the same text to Unicode, but not to
 * `===`, SQLite or the trigram index. Stored values keep their own spelling; only the keys they are
 * compared by are folded.
 */

/** Tags and licences: canonically the same (NFC) and case-insensitive. */
export const sameTextKey = (text: string): string => text.normalize('NFC').toLowerCase();

/**
 * Search texts and needles: also compatibility-folded (NFKC), so full-width "ＢＧＭ" finds "bgm",
 * half-width "ｶﾞ" finds "ガ" and "ﬁ" finds "fi", as a search box is expected to.
 */
export const searchKey = (text: string): string => text.normalize('NFKC').toLowerCase();
