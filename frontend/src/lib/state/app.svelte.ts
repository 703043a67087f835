// One instance of every domain state, built at the root and passed down.
import { DropRouter } from './drop.svelte';
import { InspectorState } from './inspector.svelte';
import { JobsState } from './jobs.svelte';
import { LibraryState } from './library.svelte';
import { SearchState } from './search.svelte';
import { SelectionState } from './selection.svelte';
import { SettingsState } from './settings.svelte';
import { TagsState } from './tags.svelte';
import { ToastState } from './toasts.svelte';

export class AppState {
  toasts = new ToastState();
  library = new LibraryState();
  search: SearchState;
  selection = new SelectionState();
  tags = new TagsState();
  jobs = new JobsState();
  settings = new SettingsState();
  inspector: InspectorState;
  drop = new DropRouter();

  constructor(debounceMs = 250) {
    this.search = new SearchState(this.toasts, debounceMs);
    this.inspector = new InspectorState(this.tags);
  }
}
