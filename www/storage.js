// What the page keeps in the tab's session storage over a reload, shared by the page
// (app.js, which writes it) and the worker (which leaves out what could never fit).

/** Session storage holds ~5 MB per origin (UTF-16); a larger snapshot is not kept. */
export const MAX_SAVED_CHARS = 2_000_000;
