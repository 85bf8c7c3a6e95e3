import type { Hub, StoredEvent } from '../hub/index.js';

/**
 * The hub with every stored event also handed to `onEvent` (progress views, `--json`): one place
 * sees everything every layer records, without each layer knowing about views.
 */
export function observeHub(hub: Hub, onEvent: ((e: StoredEvent) => void) | undefined): Hub {
  if (!onEvent) return hub;
  const events = {
    ...hub.events,
    append: (input: Parameters<Hub['events']['append']>[0]) => {
      const stored = hub.events.append(input);
      try {
        onEvent(stored);
      } catch {
        // A failing view must not break the run.
      }
      return stored;
    },
  };
  return { ...hub, events };
}
