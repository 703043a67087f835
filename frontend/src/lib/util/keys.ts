/** Ctrl on Windows/Linux, Cmd on macOS. */
export function isMod(e: KeyboardEvent | MouseEvent): boolean {
  return e.ctrlKey || e.metaKey;
}

/** True when a key press is meant for a text field rather than an app shortcut. */
export function isTyping(e: Event): boolean {
  const t = e.target as HTMLElement | null;
  if (!t) return false;
  return t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable;
}
