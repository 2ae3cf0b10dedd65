/**
 * Long loads share the event loop. A reload runs in the serving process, so parsing a big
 * rule file or list in one go would hold every request in flight until it is done; the
 * loaders below do their work in chunks and give the loop a turn between chunks, so
 * requests (I/O callbacks, timers) are served in between. A chunk is a count, not a time,
 * so the same input yields at the same points on any machine.
 */

/** List entries read, checked and normalised per turn. */
export const LIST_CHUNK = 2000;
/** YAML tokens lexed and parsed per turn (composing the document after is one step). */
export const YAML_CHUNK = 500;

/** Lets everything already waiting (I/O, timers) run, then resumes. */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
